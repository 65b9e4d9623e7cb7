import { AtollLabels, type MemberCluster, PropagationAnnotations } from "@atoll/api";
import type { KubeObject } from "@atoll/kube";
import { isRecord } from "@atoll/kube";
import {
  type AppliedOverride,
  applyOverrides,
  type ClusterOverridePolicy,
  type OverridePolicy,
} from "../overrides/index.ts";
import { cleanManifest } from "./clean.ts";
import { type ReplicaRevision, reviseReplicas } from "./replicas.ts";

export type MemberRenderInput = {
  /** The template already cleaned by cleanManifest; shared between members and never modified. */
  base: KubeObject;
  member: MemberCluster;
  replicas: ReplicaRevision;
  clusterPolicies: readonly ClusterOverridePolicy[];
  namespacedPolicies: readonly OverridePolicy[];
  /** Put on every manifest: managed-by and the binding's permanent id. */
  labels: Record<string, string>;
  /** Manifests that follow the template unchanged (its propagated dependencies), already labelled. */
  dependencies: readonly KubeObject[];
};

export type MemberRender = {
  /** The member's copy of the template first, then its dependencies. */
  manifests: KubeObject[];
  applied: AppliedOverride[];
};

/**
 * One member's manifests: the template with the member's replica count, then
 * the (Cluster)OverridePolicies that target the member (replicas first, so an
 * override can still change them, as in Karmada), then Atoll's labels.
 * Throws OverrideError when a policy cannot be applied.
 */
export function renderForMember(input: MemberRenderInput): MemberRender {
  const { base } = input;
  const withReplicas = isRecord(base.spec) ? { ...base, spec: { ...base.spec } } : base;
  reviseReplicas(withReplicas, input.replicas);
  const { object, applied } = applyOverrides({
    template: withReplicas,
    member: input.member,
    clusterPolicies: input.clusterPolicies,
    namespacedPolicies: input.namespacedPolicies,
  });
  addLabels(object, input.labels);
  return { manifests: [object, ...input.dependencies], applied };
}

/** A dependency as it goes into a Work: cleaned, labelled, never overridden. */
export function renderDependency(object: KubeObject, labels: Record<string, string>): KubeObject {
  const copy = cleanManifest(object);
  addLabels(copy, labels);
  return copy;
}

/** The labels every rendered manifest carries. */
export function manifestLabels(idLabel: string, id: string): Record<string, string> {
  return { [AtollLabels.managedBy]: AtollLabels.managedByValue, [idLabel]: id };
}

/** The Work annotations recording which policies changed the copy, as JSON arrays; none when none applied. */
export function appliedOverrideAnnotations(
  applied: readonly AppliedOverride[],
  namespace: string | undefined,
): Record<string, string> {
  const annotations: Record<string, string> = {};
  const namespaced = applied
    .filter((a) => a.kind === "OverridePolicy")
    .map((a) => `${namespace ?? ""}/${a.policy}`);
  const cluster = applied.filter((a) => a.kind === "ClusterOverridePolicy").map((a) => a.policy);
  if (namespaced.length > 0)
    annotations[PropagationAnnotations.appliedOverrides] = JSON.stringify(namespaced);
  if (cluster.length > 0)
    annotations[PropagationAnnotations.appliedClusterOverrides] = JSON.stringify(cluster);
  return annotations;
}

function addLabels(object: KubeObject, labels: Record<string, string>): void {
  object.metadata = { ...object.metadata, labels: { ...object.metadata.labels, ...labels } };
}
