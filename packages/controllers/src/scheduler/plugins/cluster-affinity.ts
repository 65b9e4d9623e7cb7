import { clusterMatches } from "../cluster-match.ts";
import { FIT, type FilterPlugin } from "../framework.ts";

/** Karmada's reason text, kept so messages read the same. */
export const AFFINITY_MISMATCH = "cluster(s) didn't match the placement cluster affinity constraint";

/** Members outside the affinity in force (clusterNames, exclude, labelSelector, fieldSelector). */
export const clusterAffinity: FilterPlugin = {
  name: "ClusterAffinity",
  filter(cluster, ctx) {
    if (!ctx.affinity || clusterMatches(cluster, ctx.affinity)) return FIT;
    return { fit: false, reason: AFFINITY_MISMATCH };
  },
};
