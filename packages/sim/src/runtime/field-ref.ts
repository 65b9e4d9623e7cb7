import type { Container, Pod, ResourceFieldSelector } from "kubernetes-types/core/v1.js";
import { milliValue, wholeValue } from "./quantity.ts";

/** What the downward API reads besides the pod object: values the kubelet knows before status is written. */
export type DownwardContext = {
  pod: Pod;
  podIP: string;
  /** The node's address; default `pod.status.hostIP`. */
  hostIP?: string;
  /** Default `pod.spec.nodeName`. */
  nodeName?: string;
  /** Used for `limits.*` a container does not set, as the kubelet uses node allocatable. */
  allocatable: Readonly<Record<string, string>>;
};

/**
 * The value of a `fieldRef.fieldPath`, as the kubelet computes it for env and
 * downwardAPI files: metadata.name/namespace/uid, metadata.labels and
 * metadata.annotations (whole maps as `key="value"` lines, or one key as
 * `metadata.labels['key']`), spec.nodeName, spec.serviceAccountName,
 * status.podIP(s), status.hostIP(s). Throws on any other path.
 */
export function podFieldValue(fieldPath: string, context: DownwardContext): string {
  const { pod } = context;
  const meta = pod.metadata ?? {};
  const subscript = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(fieldPath);
  if (subscript !== null) {
    const map = subscript[1] === "labels" ? meta.labels : meta.annotations;
    return map?.[subscript[2]] ?? "";
  }
  const podIPs = pod.status?.podIPs?.map((ip) => ip.ip) ?? [context.podIP];
  const hostIP = context.hostIP ?? pod.status?.hostIP ?? "";
  switch (fieldPath) {
    case "metadata.name":
      return meta.name ?? "";
    case "metadata.namespace":
      return meta.namespace ?? "";
    case "metadata.uid":
      return meta.uid ?? "";
    case "metadata.labels":
      return formatMap(meta.labels ?? {});
    case "metadata.annotations":
      return formatMap(meta.annotations ?? {});
    case "spec.nodeName":
      return context.nodeName ?? pod.spec?.nodeName ?? "";
    case "spec.serviceAccountName":
      return pod.spec?.serviceAccountName ?? "";
    case "status.podIP":
      return context.podIP;
    case "status.podIPs":
      return (podIPs.includes(context.podIP) ? podIPs : [context.podIP, ...podIPs]).join(",");
    case "status.hostIP":
      return hostIP;
    case "status.hostIPs":
      return pod.status?.hostIPs?.map((ip) => ip.ip).join(",") ?? hostIP;
    default:
      throw new Error(`unsupported fieldPath ${JSON.stringify(fieldPath)}`);
  }
}

/** A map as the downward API writes it: sorted `key="value"` lines, values quoted, no final newline. */
export function formatMap(map: Readonly<Record<string, string>>): string {
  return Object.keys(map)
    .sort()
    .map((key) => `${key}=${JSON.stringify(map[key])}`)
    .join("\n");
}

/**
 * The value of a `resourceFieldRef` for `container`: limits.* and requests.*
 * of cpu (in units of the divisor, rounded up: `500m` with divisor `1` is
 * `1`), memory, ephemeral-storage and hugepages-*. Unset limits fall back to
 * node allocatable; unset requests to the limit, else 0.
 */
export function containerResourceValue(
  selector: ResourceFieldSelector,
  container: Container,
  allocatable: Readonly<Record<string, string>>,
): string {
  const [kind, resource] = splitOnce(selector.resource, ".");
  if ((kind !== "limits" && kind !== "requests") || resource === "") {
    throw new Error(`unsupported resource ${JSON.stringify(selector.resource)}`);
  }
  const limits = container.resources?.limits ?? {};
  const requests = container.resources?.requests ?? {};
  const quantity =
    kind === "limits"
      ? (limits[resource] ?? allocatable[resource])
      : (requests[resource] ?? limits[resource]);
  const divisor = selector.divisor ?? "1";
  const value = quantity ?? "0";
  if (resource === "cpu") return String(Math.ceil(milliValue(value) / milliValue(divisor)));
  if (resource === "memory" || resource === "ephemeral-storage" || resource.startsWith("hugepages-")) {
    return String(Math.ceil(wholeValue(value) / wholeValue(divisor)));
  }
  throw new Error(`unsupported resource ${JSON.stringify(selector.resource)}`);
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + 1)];
}
