import { FIT, type FilterPlugin, memberName } from "../framework.ts";

/** Members the binding is being evicted from (Karmada's ClusterEviction): their replicas go elsewhere. */
export const clusterEviction: FilterPlugin = {
  name: "ClusterEviction",
  filter(cluster, ctx) {
    return ctx.evictedFrom.has(memberName(cluster))
      ? { fit: false, reason: "cluster(s) is in the process of eviction" }
      : FIT;
  },
};
