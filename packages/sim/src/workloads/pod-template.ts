import type { KubeObject, OwnerReference } from "@atoll/kube";
import { cloneJson } from "@atoll/kube";
import type { PodTemplate } from "./workload-types.ts";

/** Where and under which owner a pod from a template is created. */
export type PodFromTemplateOptions = {
  namespace: string | undefined;
  /** An explicit name (StatefulSets), or… */
  name?: string;
  /** …a prefix for the API server to complete (`<owner>-`). */
  generateName?: string;
  controllerRef: OwnerReference;
};

/**
 * A new pod from a workload's pod template, as `controller.GetPodFromTemplate`:
 * the template's labels, annotations, finalizers and spec (deep-copied), the
 * owner's namespace, and the controller reference.
 */
export function podFromTemplate(
  template: PodTemplate | undefined,
  options: PodFromTemplateOptions,
): KubeObject {
  const meta = template?.metadata ?? {};
  const metadata: KubeObject["metadata"] = { namespace: options.namespace };
  if (options.name) metadata.name = options.name;
  else if (options.generateName) metadata.generateName = options.generateName;
  if (meta.labels) metadata.labels = { ...meta.labels };
  if (meta.annotations) metadata.annotations = { ...meta.annotations };
  if (meta.finalizers?.length) metadata.finalizers = [...meta.finalizers];
  metadata.ownerReferences = [options.controllerRef];
  return { apiVersion: "v1", kind: "Pod", metadata, spec: cloneJson(template?.spec ?? {}) };
}

/** The `generateName` of a controller's pods: `<owner>-`. */
export function podNamePrefix(ownerName: string): string {
  return `${ownerName}-`;
}
