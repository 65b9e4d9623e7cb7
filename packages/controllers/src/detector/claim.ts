import { PropagationAnnotations, PropagationFinalizers, PropagationLabels } from "@atoll/api";
import type { KubeObject } from "@atoll/kube";
import type { CandidatePolicy, PolicyClaim } from "./policy-match.ts";

/** The label and annotation keys a claim writes, with every key of both scopes (to clear the other). */
export const CLAIM_LABELS = [
  PropagationLabels.propagationPolicyId,
  PropagationLabels.clusterPropagationPolicyId,
];
export const CLAIM_ANNOTATIONS = [
  PropagationAnnotations.propagationPolicyName,
  PropagationAnnotations.propagationPolicyNamespace,
  PropagationAnnotations.clusterPropagationPolicyName,
];

/**
 * The policy a template (or binding) is claimed by, read from its
 * annotations (names) and labels (permanent ids). A PropagationPolicy claim
 * wins when both are present, as Karmada reads them in that order.
 */
export function claimOf(object: KubeObject): PolicyClaim | undefined {
  const annotations = object.metadata.annotations ?? {};
  const labels = object.metadata.labels ?? {};
  const name = annotations[PropagationAnnotations.propagationPolicyName];
  const namespace = annotations[PropagationAnnotations.propagationPolicyNamespace];
  if (name && namespace) {
    return { scope: "namespaced", namespace, name, uid: labels[PropagationLabels.propagationPolicyId] };
  }
  const clusterName = annotations[PropagationAnnotations.clusterPropagationPolicyName];
  if (clusterName) {
    return { scope: "cluster", name: clusterName, uid: labels[PropagationLabels.clusterPropagationPolicyId] };
  }
  return undefined;
}

/** The claim labels of `policy` (its uid as permanent id); the other scope's label is absent. */
export function claimLabels(policy: CandidatePolicy): Record<string, string> {
  const key =
    policy.scope === "namespaced"
      ? PropagationLabels.propagationPolicyId
      : PropagationLabels.clusterPropagationPolicyId;
  return { [key]: policy.policy.metadata.uid ?? "" };
}

/** The claim annotations of `policy`: its name (and namespace). */
export function claimAnnotations(policy: CandidatePolicy): Record<string, string> {
  const { name = "", namespace = "" } = policy.policy.metadata;
  return policy.scope === "namespaced"
    ? {
        [PropagationAnnotations.propagationPolicyName]: name,
        [PropagationAnnotations.propagationPolicyNamespace]: namespace,
      }
    : { [PropagationAnnotations.clusterPropagationPolicyName]: name };
}

/**
 * `current` with the claim keys replaced by `wanted` (none when undefined);
 * the other keys untouched. Merge-patch form: removed keys are null.
 */
export function claimDelta(
  current: Record<string, string> | undefined,
  keys: readonly string[],
  wanted: Record<string, string> | undefined,
): Record<string, string | null> | undefined {
  const delta: Record<string, string | null> = {};
  for (const key of keys) {
    const value = wanted?.[key];
    if (value !== undefined && current?.[key] !== value) delta[key] = value;
    if (value === undefined && current?.[key] !== undefined) delta[key] = null;
  }
  return Object.keys(delta).length > 0 ? delta : undefined;
}

/**
 * The merge patch that makes `template` claimed by `policy` (labels,
 * annotations, finalizer), or undefined when it already is. It carries the
 * template's resourceVersion: the finalizer list is replaced whole, so a
 * concurrent change must fail (Conflict) rather than be lost.
 */
export function claimPatch(template: KubeObject, policy: CandidatePolicy | undefined): unknown {
  const { metadata } = template;
  const labels = claimDelta(metadata.labels, CLAIM_LABELS, policy && claimLabels(policy));
  const annotations = claimDelta(metadata.annotations, CLAIM_ANNOTATIONS, policy && claimAnnotations(policy));
  const current = metadata.finalizers ?? [];
  const held = current.includes(PropagationFinalizers.propagation);
  let finalizers: string[] | undefined;
  if (policy && !held) finalizers = [...current, PropagationFinalizers.propagation];
  if (!policy && held) finalizers = current.filter((f) => f !== PropagationFinalizers.propagation);
  if (!labels && !annotations && !finalizers) return undefined;
  return {
    metadata: {
      resourceVersion: metadata.resourceVersion,
      ...(labels ? { labels } : {}),
      ...(annotations ? { annotations } : {}),
      ...(finalizers ? { finalizers } : {}),
    },
  };
}

/** The merge patch that removes the claim labels and annotations from a binding, or undefined when it has none. */
export function releaseBindingPatch(binding: KubeObject): unknown {
  const labels = claimDelta(binding.metadata.labels, CLAIM_LABELS, undefined);
  const annotations = claimDelta(binding.metadata.annotations, CLAIM_ANNOTATIONS, undefined);
  if (!labels && !annotations) return undefined;
  return { metadata: { ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) } };
}
