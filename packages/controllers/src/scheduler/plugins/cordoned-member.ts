import { FIT, type FilterPlugin, memberName } from "../framework.ts";

/**
 * A cordoned member (spec.unschedulable) gets no new placements; one that
 * already holds the binding keeps its replicas but gets no more, as
 * Kubernetes treats pods on a cordoned node.
 */
export const cordonedMember: FilterPlugin = {
  name: "CordonedMember",
  filter(cluster, ctx) {
    if (!cluster.spec.unschedulable) return FIT;
    if (ctx.holders.has(memberName(cluster))) return { fit: true, keepOnly: "cluster is cordoned" };
    return { fit: false, reason: "cluster is cordoned" };
  },
};
