import type { MemberCluster } from "@atoll/api";
import { memberName } from "./framework.ts";
import type { ClusterAffinity, ClusterField, FieldSelector, LabelSelector } from "./placement-types.ts";

/** Kubernetes label selector semantics: every matchLabels entry and every expression must hold. */
export function labelsMatch(selector: LabelSelector, labels: Record<string, string> = {}): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    const ok =
      operator === "In"
        ? has && values.includes(labels[key])
        : operator === "NotIn"
          ? !has || !values.includes(labels[key])
          : operator === "Exists"
            ? has
            : !has;
    if (!ok) return false;
  }
  return true;
}

/** The member's provider, region or zone ("" when unset). */
export function clusterField(cluster: MemberCluster, field: ClusterField): string {
  return cluster.spec[field] ?? "";
}

/** Karmada's field selector over provider/region/zone; values form a set (In: any of, NotIn: none of). */
export function fieldsMatch(selector: FieldSelector, cluster: MemberCluster): boolean {
  return (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    const value = clusterField(cluster, key);
    return operator === "In" ? values.includes(value) : !values.includes(value);
  });
}

/**
 * Whether a member matches an affinity (Karmada's ClusterMatches): not
 * excluded, and each of labelSelector, fieldSelector and clusterNames that is
 * set matches. An empty affinity matches every member.
 */
export function clusterMatches(cluster: MemberCluster, affinity: ClusterAffinity): boolean {
  const name = memberName(cluster);
  if (affinity.exclude?.includes(name)) return false;
  if (affinity.labelSelector && !labelsMatch(affinity.labelSelector, cluster.metadata.labels)) return false;
  if (affinity.fieldSelector && !fieldsMatch(affinity.fieldSelector, cluster)) return false;
  if (affinity.clusterNames?.length && !affinity.clusterNames.includes(name)) return false;
  return true;
}
