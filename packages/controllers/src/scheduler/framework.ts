import type { MemberCluster } from "@atoll/api";
import type { ClusterAffinity, Placement } from "./placement-types.ts";
import type { GroupVersionKind } from "./schedule-types.ts";

/** What every filter plugin may read about the decision being made. */
export type FilterContext = {
  placement: Placement;
  /** The affinity in force: `clusterAffinity`, or the `clusterAffinities` group being tried. */
  affinity?: ClusterAffinity;
  gvk: GroupVersionKind;
  now: Date;
  /** Members in the previous result (any replica count), by name. */
  holders: ReadonlySet<string>;
  evictedFrom: ReadonlySet<string>;
};

/**
 * A filter plugin's answer for one member. `keepOnly` admits a member only
 * because it already holds the binding (cordoned, or a NoSchedule taint):
 * it keeps what it has and gets nothing new. `until` bounds a fit that
 * expires (a NoExecute toleration with tolerationSeconds).
 */
export type FilterResult = { fit: true; keepOnly?: string; until?: Date } | { fit: false; reason: string };

/** A plain fit. */
export const FIT: FilterResult = Object.freeze({ fit: true });

/** One small predicate over a member, as Karmada's filter plugins. */
export interface FilterPlugin {
  readonly name: string;
  filter(cluster: MemberCluster, ctx: FilterContext): FilterResult;
}

/** The member's name (MemberClusters are cluster-scoped and always named). */
export function memberName(cluster: MemberCluster): string {
  return cluster.metadata.name ?? "";
}
