import type { ResourceBinding } from "@atoll/api";
import type { Informer, KubeClient, KubeObject, ResourceId } from "@atoll/kube";
import { StatusError } from "@atoll/kube";
import { bindingDiffers, bindingLocation, desiredBinding } from "./binding-spec.ts";
import { releaseBindingPatch } from "./claim.ts";
import type { CandidatePolicy } from "./policy-match.ts";

/** How many times a write is retried at once from a fresh read when another writer got there first. */
const ATTEMPTS = 3;

export type BindingSyncResult = { binding: ResourceBinding } | { waiting: "binding-being-deleted" };

/**
 * Creates or updates the binding of a claimed template, writing only when
 * what the detector owns would change. The first attempt trusts the cache;
 * after a Conflict (or AlreadyExists) it reads the binding fresh, so the
 * scheduler's concurrent writes to spec.clusters are never overwritten.
 */
export async function syncBinding(input: {
  hub: KubeClient;
  bindings: Informer;
  resource: ResourceId;
  template: KubeObject;
  policy: CandidatePolicy;
  newId: () => string;
}): Promise<BindingSyncResult> {
  const { hub, resource, template, policy } = input;
  const location = bindingLocation(template);
  const key = location.namespace ? `${location.namespace}/${location.name}` : location.name;
  let existing = input.bindings.get(key) as ResourceBinding | undefined;
  for (let attempt = 1; ; attempt++) {
    // A binding on its way out (the template was re-created meanwhile) is replaced once it is gone.
    if (existing?.metadata.deletionTimestamp) return { waiting: "binding-being-deleted" };
    const desired = desiredBinding({ resource, template, policy, existing, newId: input.newId });
    if (existing && !bindingDiffers(existing, desired)) return { binding: existing };
    try {
      const written = existing
        ? await hub.update(location.resource, location.namespace, desired)
        : await hub.create(location.resource, location.namespace, desired);
      return { binding: written as ResourceBinding };
    } catch (error) {
      const raced =
        error instanceof StatusError && (error.reason === "Conflict" || error.reason === "AlreadyExists");
      if (!raced || attempt >= ATTEMPTS) {
        throw new Error(`failed to write ${location.resource.kind} ${key}: ${(error as Error).message}`, {
          cause: error,
        });
      }
      existing = (await hub.get(location.resource, location.namespace, location.name)) as
        | ResourceBinding
        | undefined;
    }
  }
}

/**
 * Removes the claim labels and annotations from the binding of a template
 * no policy claims any more. The binding itself (and so its Works and the
 * member objects) stays: a policy going away is no reason to remove
 * workloads, as in Karmada.
 */
export async function releaseBinding(input: {
  hub: KubeClient;
  bindings: Informer;
  template: KubeObject;
}): Promise<void> {
  const location = bindingLocation(input.template);
  const key = location.namespace ? `${location.namespace}/${location.name}` : location.name;
  const binding = input.bindings.get(key);
  const patch = binding && releaseBindingPatch(binding);
  if (!patch) return;
  try {
    await input.hub.patch(location.resource, location.namespace, location.name, "merge", patch);
  } catch (error) {
    if (!(error instanceof StatusError && error.reason === "NotFound")) throw error;
  }
}
