import type { MemberCluster } from "@atoll/api";
import { fieldSelectorMatches, labelSelectorMatches } from "./label-selector.ts";
import type { ClusterAffinity } from "./types.ts";

/** The member fields a fieldSelector can name, as Karmada's cluster fields. */
export const ClusterFields = { provider: "provider", region: "region", zone: "zone" } as const;

/** The member's provider/region/zone as a field set; unset or empty fields are absent. */
export function memberFields(member: MemberCluster): Record<string, string> {
  const fields: Record<string, string> = {};
  if (member.spec.provider) fields[ClusterFields.provider] = member.spec.provider;
  if (member.spec.region) fields[ClusterFields.region] = member.spec.region;
  if (member.spec.zone) fields[ClusterFields.zone] = member.spec.zone;
  return fields;
}

/**
 * Whether a rule's targetCluster selects `member`, as Karmada's ClusterMatches:
 * an excluded name never matches; otherwise each of labelSelector,
 * fieldSelector and clusterNames that is set must match. An absent
 * targetCluster, or one with nothing set, matches every member.
 */
export function targetClusterMatches(affinity: ClusterAffinity | undefined, member: MemberCluster): boolean {
  if (!affinity) return true;
  const name = member.metadata.name;
  if (affinity.exclude?.some((excluded) => excluded === name)) return false;
  if (affinity.labelSelector && !labelSelectorMatches(affinity.labelSelector, member.metadata.labels)) {
    return false;
  }
  if (affinity.fieldSelector && !fieldSelectorMatches(affinity.fieldSelector, memberFields(member))) {
    return false;
  }
  const names = affinity.clusterNames ?? [];
  return names.length === 0 || names.some((candidate) => candidate === name);
}
