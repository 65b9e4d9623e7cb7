import type { MemberCluster } from "@atoll/api";
import type { FilterContext, FilterPlugin } from "./framework.ts";
import { memberName } from "./framework.ts";
import { apiEnablement } from "./plugins/api-enablement.ts";
import { clusterAffinity } from "./plugins/cluster-affinity.ts";
import { clusterEviction } from "./plugins/cluster-eviction.ts";
import { cordonedMember } from "./plugins/cordoned-member.ts";
import { disabledMember } from "./plugins/disabled-member.ts";
import { spreadProperty } from "./plugins/spread-property.ts";
import { taintToleration } from "./plugins/taint-toleration.ts";

/** The filter plugins every decision runs, in the order their reasons are listed. */
export const DEFAULT_FILTERS: readonly FilterPlugin[] = [
  disabledMember,
  cordonedMember,
  apiEnablement,
  taintToleration,
  clusterAffinity,
  spreadProperty,
  clusterEviction,
];

/** One member after filtering: rejected when `reasons` is non-empty. */
export type MemberFit = {
  name: string;
  cluster: MemberCluster;
  /** Why it was turned away, one entry per rejecting plugin. */
  reasons: string[];
  /** Why it may keep what it holds but get nothing new. */
  keepOnly: string[];
  /** When its fit runs out (a NoExecute toleration's end). */
  until?: Date;
};

/**
 * Runs every plugin on every member. Unlike Karmada, which stops at a
 * member's first failing plugin, all reasons are kept so a fit error and
 * `atoll explain placement` can say everything that is wrong at once.
 */
export function filterMembers(
  clusters: readonly MemberCluster[],
  ctx: FilterContext,
  plugins: readonly FilterPlugin[] = DEFAULT_FILTERS,
): MemberFit[] {
  return clusters.map((cluster) => {
    const fit: MemberFit = { name: memberName(cluster), cluster, reasons: [], keepOnly: [] };
    for (const plugin of plugins) {
      const result = plugin.filter(cluster, ctx);
      if (!result.fit) {
        fit.reasons.push(result.reason);
        continue;
      }
      if (result.keepOnly) fit.keepOnly.push(result.keepOnly);
      if (result.until && (!fit.until || result.until < fit.until)) fit.until = result.until;
    }
    return fit;
  });
}
