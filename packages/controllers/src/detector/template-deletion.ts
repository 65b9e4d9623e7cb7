import { PropagationAnnotations, PropagationFinalizers, WORKS } from "@atoll/api";
import type { KubeClient, KubeObject, ResourceId } from "@atoll/kube";
import { StatusError } from "@atoll/kube";
import { type BindingLocation, bindingIdLabel, bindingLocation } from "./binding-spec.ts";

/** What a deleting template still waits for. */
export type DeletionProgress =
  | { state: "released" }
  | { state: "waiting-for-binding"; bindingId?: string }
  | { state: "waiting-for-works"; bindingId?: string; works: number };

/**
 * One step of a claimed template's deletion: delete its binding, then — once
 * the binding is gone and no Work carries its permanent id (the binding
 * stage deletes Works, the execution stage cleans members before a Work
 * goes) — release the template's finalizer. Reads the API directly, not the
 * caches: releasing too early would orphan member objects.
 *
 * `knownBindingId` is the binding's permanent id if seen before; Works are
 * also found by the binding name they are annotated with, for when it is not.
 */
export async function finalizeTemplate(input: {
  hub: KubeClient;
  resource: ResourceId;
  template: KubeObject;
  knownBindingId: string | undefined;
}): Promise<DeletionProgress> {
  const { hub, resource, template } = input;
  const location = bindingLocation(template);
  const binding = await hub.get(location.resource, location.namespace, location.name);
  const bindingId = binding?.metadata.labels?.[bindingIdLabel(location)] || input.knownBindingId;
  if (binding) {
    if (!binding.metadata.deletionTimestamp) await deleteIgnoringNotFound(hub, location);
    return { state: "waiting-for-binding", bindingId };
  }
  const works = await remainingWorks(hub, location, bindingId);
  if (works > 0) return { state: "waiting-for-works", bindingId, works };
  const finalizers = (template.metadata.finalizers ?? []).filter(
    (f) => f !== PropagationFinalizers.propagation,
  );
  try {
    await hub.patch(resource, template.metadata.namespace, template.metadata.name ?? "", "merge", {
      metadata: { resourceVersion: template.metadata.resourceVersion, finalizers },
    });
  } catch (error) {
    if (!(error instanceof StatusError && error.reason === "NotFound")) throw error;
  }
  return { state: "released" };
}

async function deleteIgnoringNotFound(hub: KubeClient, location: BindingLocation): Promise<void> {
  try {
    await hub.delete(location.resource, location.namespace, location.name);
  } catch (error) {
    if (!(error instanceof StatusError && error.reason === "NotFound")) throw error;
  }
}

/**
 * How many Works of the binding at `location` remain: those with its permanent
 * id label, or — when the id was never seen (the binding went while the
 * detector was down) — those annotated with the binding's name.
 */
async function remainingWorks(
  hub: KubeClient,
  location: BindingLocation,
  bindingId: string | undefined,
): Promise<number> {
  if (bindingId) {
    const labelled = await hub.list(WORKS, { labelSelector: `${bindingIdLabel(location)}=${bindingId}` });
    return labelled.items.length;
  }
  const all = await hub.list(WORKS);
  return all.items.filter((work) => namesBinding(work, location)).length;
}

/** Whether a Work's annotations name the binding at `location`. */
export function namesBinding(
  work: KubeObject,
  location: Pick<BindingLocation, "namespace" | "name">,
): boolean {
  const annotations = work.metadata.annotations ?? {};
  return location.namespace
    ? annotations[PropagationAnnotations.resourceBindingName] === location.name &&
        annotations[PropagationAnnotations.resourceBindingNamespace] === location.namespace
    : annotations[PropagationAnnotations.clusterResourceBindingName] === location.name;
}
