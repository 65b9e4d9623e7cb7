import type { KubeObject } from "../api/object.ts";
import { type CustomResourceDefinition, defaultDefinition } from "../crd/definition.ts";
import { validateDefinition } from "../crd/validate-definition.ts";
import type { Strategy } from "../registry/strategy.ts";

/** Held by every CRD until its custom resources are deleted. */
export const CRD_CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io";

/** CustomResourceDefinitions: defaulted and validated as kube-apiserver does; group and names.plural are fixed. */
export const crdStrategy: Strategy = {
  prepareForCreate(object) {
    Object.assign(object, defaultDefinition(object as CustomResourceDefinition));
    object.status = { conditions: [], acceptedNames: { plural: "", kind: "" }, storedVersions: [] };
    const finalizers = object.metadata.finalizers ?? [];
    if (!finalizers.includes(CRD_CLEANUP_FINALIZER))
      object.metadata.finalizers = [...finalizers, CRD_CLEANUP_FINALIZER];
  },
  prepareForUpdate(object) {
    Object.assign(object, defaultDefinition(object as CustomResourceDefinition));
  },
  validate(object: KubeObject, old: KubeObject | undefined) {
    return validateDefinition(
      object as CustomResourceDefinition,
      old ? { old: old as CustomResourceDefinition } : {},
    );
  },
};
