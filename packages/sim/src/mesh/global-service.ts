import { ipToNumber } from "../network/address-plan.ts";
import type { Backend } from "../network/endpoint-source.ts";
import type { Service } from "../network/objects.ts";
import {
  ANNOTATION_GLOBAL_SERVICE,
  ANNOTATION_SERVICE_AFFINITY,
  ANNOTATION_SHARED_SERVICE,
} from "./well-known.ts";

/** `service.cilium.io/affinity`: which side's endpoints a global Service prefers. */
export type ServiceAffinity = "local" | "remote" | "none";

/** Whether the Service is annotated `service.cilium.io/global: "true"`. */
export function isGlobal(service: Service): boolean {
  return service.metadata.annotations?.[ANNOTATION_GLOBAL_SERVICE] === "true";
}

/**
 * Whether a member's global Service offers its endpoints to the other
 * members: yes unless annotated `service.cilium.io/shared: "false"`.
 */
export function isShared(service: Service): boolean {
  return isGlobal(service) && service.metadata.annotations?.[ANNOTATION_SHARED_SERVICE] !== "false";
}

/** The Service's affinity; absent or unknown values mean `none`, as in Cilium. */
export function affinityOf(service: Service): ServiceAffinity {
  const value = service.metadata.annotations?.[ANNOTATION_SERVICE_AFFINITY];
  return value === "local" || value === "remote" ? value : "none";
}

/**
 * Where a global Service's next connection may go: `local` uses this
 * member's backends while it has any and the remote ones otherwise, `remote`
 * the reverse, `none` all of them. Ordered by address, so round-robin is stable.
 */
export function globalBackends(
  affinity: ServiceAffinity,
  local: readonly Backend[],
  remote: readonly Backend[],
): Backend[] {
  const chosen =
    affinity === "local"
      ? local.length > 0
        ? local
        : remote
      : affinity === "remote"
        ? remote.length > 0
          ? remote
          : local
        : [...local, ...remote];
  return [...chosen].sort(byAddress);
}

function byAddress(a: Backend, b: Backend): number {
  return ipToNumber(a.ip) - ipToNumber(b.ip) || a.port - b.port;
}
