import {
  CLUSTER_RESOURCE_BINDINGS,
  PropagationLabels,
  RESOURCE_BINDINGS,
  type ResourceBinding,
  type ResourceBindingSpec,
} from "@atoll/api";
import type { KubeObject, OwnerReference, ResourceId } from "@atoll/kube";
import { jsonEqual } from "@atoll/kube";
import { bindingName } from "../propagation/names.ts";
import { apiVersionOf } from "../propagation/resource-mapper.ts";
import { CLAIM_ANNOTATIONS, CLAIM_LABELS, claimAnnotations, claimLabels } from "./claim.ts";
import type { CandidatePolicy } from "./policy-match.ts";
import { templateReplicaRequirements, templateReplicas } from "./replicas.ts";

/** The spec fields the detector writes; spec.clusters and spec.gracefulEvictionTasks belong to the scheduler. */
const OWNED_SPEC_FIELDS = [
  "resource",
  "replicas",
  "replicaRequirements",
  "placement",
  "conflictResolution",
  "propagateDeps",
  "preserveResourcesOnDeletion",
  "failover",
] as const satisfies ReadonlyArray<keyof ResourceBindingSpec>;

/** Where a template's binding lives: a ResourceBinding beside a namespaced template, else a ClusterResourceBinding. */
export type BindingLocation = { resource: ResourceId; namespace: string | undefined; name: string };

export function bindingLocation(template: KubeObject): BindingLocation {
  const namespace = template.metadata.namespace || undefined;
  return {
    resource: namespace ? RESOURCE_BINDINGS : CLUSTER_RESOURCE_BINDINGS,
    namespace,
    name: bindingName(template.metadata.name ?? "", template.kind ?? ""),
  };
}

/** The label carrying a binding's permanent id (copied onto its Works). */
export function bindingIdLabel(location: Pick<BindingLocation, "namespace">): string {
  return location.namespace
    ? PropagationLabels.resourceBindingId
    : PropagationLabels.clusterResourceBindingId;
}

/** The spec fields the detector owns, from the template and the policy that claimed it. */
export function ownedSpec(
  resource: ResourceId,
  template: KubeObject,
  policy: CandidatePolicy,
): ResourceBindingSpec {
  const { metadata } = template;
  const settings = policy.policy.spec ?? { resourceSelectors: [] };
  const replicaRequirements = templateReplicaRequirements(resource.group, template);
  const spec: ResourceBindingSpec = {
    resource: {
      apiVersion: apiVersionOf(resource),
      kind: resource.kind,
      ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
      name: metadata.name ?? "",
      uid: metadata.uid,
      resourceVersion: metadata.resourceVersion,
    },
    replicas: templateReplicas(resource.group, template),
    ...(replicaRequirements ? { replicaRequirements } : {}),
    conflictResolution: settings.conflictResolution ?? "Abort",
  };
  if (settings.placement !== undefined) spec.placement = settings.placement;
  if (settings.propagateDeps !== undefined) spec.propagateDeps = settings.propagateDeps;
  if (settings.preserveResourcesOnDeletion !== undefined) {
    spec.preserveResourcesOnDeletion = settings.preserveResourcesOnDeletion;
  }
  if (settings.failover !== undefined) spec.failover = settings.failover;
  return spec;
}

/** The template as the binding's controlling owner; blockOwnerDeletion false so deleting the template never waits on it. */
export function templateOwner(resource: ResourceId, template: KubeObject): OwnerReference {
  return {
    apiVersion: apiVersionOf(resource),
    kind: resource.kind,
    name: template.metadata.name ?? "",
    uid: template.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: false,
  };
}

/**
 * The binding as it should be: `existing` (if any) with the detector's spec
 * fields, claim labels and annotations, owner and permanent id replaced, and
 * everything else (spec.clusters, eviction tasks, other labels, status) kept.
 * `newId` is used only when the binding has no permanent id yet.
 */
export function desiredBinding(input: {
  resource: ResourceId;
  template: KubeObject;
  policy: CandidatePolicy;
  existing: ResourceBinding | undefined;
  newId: () => string;
}): ResourceBinding {
  const { resource, template, policy, existing } = input;
  const location = bindingLocation(template);
  const idLabel = bindingIdLabel(location);
  const labels = withoutKeys(existing?.metadata.labels, CLAIM_LABELS);
  const annotations = withoutKeys(existing?.metadata.annotations, CLAIM_ANNOTATIONS);
  const spec: Record<string, unknown> = { ...(existing?.spec ?? {}) };
  for (const field of OWNED_SPEC_FIELDS) delete spec[field];
  const base: KubeObject = existing ?? {
    apiVersion: apiVersionOf(location.resource),
    kind: location.resource.kind,
    metadata: { name: location.name, ...(location.namespace ? { namespace: location.namespace } : {}) },
  };
  return {
    ...base,
    metadata: {
      ...base.metadata,
      labels: { ...labels, ...claimLabels(policy), [idLabel]: labels[idLabel] || input.newId() },
      annotations: { ...annotations, ...claimAnnotations(policy) },
      ownerReferences: [
        ...(existing?.metadata.ownerReferences ?? []).filter((o) => !o.controller),
        templateOwner(resource, template),
      ],
    },
    spec: { ...spec, ...ownedSpec(resource, template, policy) } as ResourceBindingSpec,
  };
}

/** Whether writing `desired` over `existing` would change what the detector owns. */
export function bindingDiffers(existing: ResourceBinding, desired: ResourceBinding): boolean {
  return !(
    jsonEqual(existing.metadata.labels ?? {}, desired.metadata.labels ?? {}) &&
    jsonEqual(existing.metadata.annotations ?? {}, desired.metadata.annotations ?? {}) &&
    jsonEqual(existing.metadata.ownerReferences ?? [], desired.metadata.ownerReferences ?? []) &&
    OWNED_SPEC_FIELDS.every((field) => jsonEqual(existing.spec?.[field], desired.spec[field]))
  );
}

function withoutKeys(
  map: Record<string, string> | undefined,
  keys: readonly string[],
): Record<string, string> {
  const copy = { ...(map ?? {}) };
  for (const key of keys) delete copy[key];
  return copy;
}
