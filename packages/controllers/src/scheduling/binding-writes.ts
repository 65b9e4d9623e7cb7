import type { ResourceBinding, ResourceBindingSpec } from "@atoll/api";
import { type KubeClient, StatusError } from "@atoll/kube";
import { apiVersionOf } from "../propagation/resource-mapper.ts";
import { type BindingRef, describeRef } from "./bindings.ts";

/** Field managers of the failover controllers' writes, as `kubectl get --show-managed-fields` shows them. */
export const FieldManagers = {
  scheduler: "atoll-scheduler",
  taintManager: "atoll-taint-manager",
  gracefulEviction: "atoll-graceful-eviction",
} as const;

/**
 * Merge-patches part of a binding's spec, only if the binding is still at
 * `resourceVersion`. The scheduler, the taint manager and the graceful
 * eviction controller all rewrite lists in the same spec (clusters,
 * gracefulEvictionTasks) from what they read; the precondition makes a
 * decision taken on a stale read fail with Conflict instead of undoing
 * another controller's write.
 */
export async function patchSpec(
  hub: KubeClient,
  ref: BindingRef,
  resourceVersion: string | undefined,
  spec: Partial<Record<keyof ResourceBindingSpec, unknown>>,
  fieldManager: string,
): Promise<ResourceBinding> {
  try {
    const patch = { metadata: { resourceVersion }, spec };
    return (await hub.patch(ref.resource, ref.namespace, ref.name, "merge", patch, {
      fieldManager,
    })) as ResourceBinding;
  } catch (error) {
    throw wrap(error, `failed to update the spec of ${describeRef(ref)}`);
  }
}

/**
 * Server-side applies the status fields one controller owns, so writers of
 * other status fields and conditions (the binding controller's
 * aggregatedStatus and FullyApplied) are left alone.
 */
export async function applyStatus(
  hub: KubeClient,
  ref: BindingRef,
  status: Record<string, unknown>,
  fieldManager: string,
): Promise<ResourceBinding> {
  const body = {
    apiVersion: apiVersionOf(ref.resource),
    kind: ref.resource.kind,
    metadata: ref.namespace ? { name: ref.name, namespace: ref.namespace } : { name: ref.name },
    status,
  };
  try {
    return (await hub.patch(ref.resource, ref.namespace, ref.name, "apply", body, {
      fieldManager,
      subresource: "status",
      force: true,
    })) as ResourceBinding;
  } catch (error) {
    throw wrap(error, `failed to update the status of ${describeRef(ref)}`);
  }
}

/** A write lost to a concurrent change (Conflict) or to deletion (NotFound): the next event brings the truth. */
export function isStale(error: unknown): boolean {
  const cause = error instanceof Error && error.cause instanceof StatusError ? error.cause : error;
  return cause instanceof StatusError && (cause.reason === "Conflict" || cause.reason === "NotFound");
}

function wrap(error: unknown, what: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  return new Error(`${what}: ${message}`, { cause: error });
}
