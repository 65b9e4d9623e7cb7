import {
  CLUSTER_RESOURCE_BINDINGS,
  PropagationAnnotations,
  PropagationLabels,
  RESOURCE_BINDINGS,
  type ResourceBinding,
} from "@atoll/api";
import type { KubeObject, ResourceId } from "@atoll/kube";
import { objectKeyOf, splitKey } from "@atoll/kube";

/*
 * ResourceBindings and ClusterResourceBindings share the controller's queues.
 * Their keys cannot collide: a ResourceBinding's key is `namespace/name`, a
 * ClusterResourceBinding's is its bare name, and names never hold a slash.
 */

/** The resource a binding key names. */
export function bindingResourceOf(key: string): ResourceId {
  return key.includes("/") ? RESOURCE_BINDINGS : CLUSTER_RESOURCE_BINDINGS;
}

/** The label carrying a binding's permanent id, on the binding and on everything rendered from it. */
export function bindingIdLabel(key: string): string {
  return key.includes("/") ? PropagationLabels.resourceBindingId : PropagationLabels.clusterResourceBindingId;
}

/** The binding's permanent id (set once by the detector), or undefined when it has none yet. */
export function bindingIdOf(binding: KubeObject): string | undefined {
  return binding.metadata.labels?.[bindingIdLabel(objectKeyOf(binding))] || undefined;
}

/** The annotations naming a binding on its Works. */
export function bindingNameAnnotations(key: string): Record<string, string> {
  const { namespace, name } = splitKey(key);
  return namespace === undefined
    ? { [PropagationAnnotations.clusterResourceBindingName]: name }
    : {
        [PropagationAnnotations.resourceBindingNamespace]: namespace,
        [PropagationAnnotations.resourceBindingName]: name,
      };
}

/** The key of the binding a Work was rendered from, by its annotations; undefined for any other Work. */
export function bindingKeyOfWork(work: KubeObject): string | undefined {
  const annotations = work.metadata.annotations ?? {};
  const clusterName = annotations[PropagationAnnotations.clusterResourceBindingName];
  if (clusterName) return clusterName;
  const name = annotations[PropagationAnnotations.resourceBindingName];
  const namespace = annotations[PropagationAnnotations.resourceBindingNamespace];
  return name && namespace ? `${namespace}/${name}` : undefined;
}

/** The permanent id a Work carries, under either binding label. */
export function bindingIdOfWork(work: KubeObject): string | undefined {
  const labels = work.metadata.labels ?? {};
  return (
    labels[PropagationLabels.resourceBindingId] ||
    labels[PropagationLabels.clusterResourceBindingId] ||
    undefined
  );
}

/** The members a binding targets, in spec order. */
export function targetMembers(binding: ResourceBinding): string[] {
  return (binding.spec?.clusters ?? []).map((c) => c.name);
}
