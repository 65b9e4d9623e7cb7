import type { Taint } from "@atoll/api";
import { FIT, type FilterPlugin, type FilterResult, memberName } from "../framework.ts";
import type { ClusterToleration } from "../placement-types.ts";

/** Kubernetes' Toleration.ToleratesTaint. */
export function tolerates(toleration: ClusterToleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  if (toleration.operator === "Exists") return true;
  return (toleration.value ?? "") === (taint.value ?? "");
}

/** `{key: value}`, as Kubernetes prints a taint in scheduling messages. */
export function formatTaint(taint: Taint): string {
  return `{${taint.key}: ${taint.value ?? ""}}`;
}

/**
 * When a NoExecute taint stops being tolerated: the taint's timeAdded plus
 * the smallest tolerationSeconds among the matching tolerations, or never
 * (undefined) when none of them sets tolerationSeconds, as Kubernetes'
 * taint manager computes it. A taint without timeAdded counts from `now`.
 */
export function toleratedUntil(taint: Taint, matching: ClusterToleration[], now: Date): Date | undefined {
  const bounds = matching.flatMap((t) => (t.tolerationSeconds === undefined ? [] : [t.tolerationSeconds]));
  if (bounds.length === 0) return undefined;
  const added = taint.timeAdded ? Date.parse(taint.timeAdded) : now.getTime();
  return new Date(added + Math.max(0, Math.min(...bounds)) * 1000);
}

/**
 * NoSchedule and NoExecute taints need a matching toleration. A member that
 * already holds the binding keeps it under an untolerated NoSchedule taint
 * (Karmada leaves those to eviction) but gets nothing new; a NoExecute taint
 * turns it away once its toleration, if any, has run out.
 */
export const taintToleration: FilterPlugin = {
  name: "TaintToleration",
  filter(cluster, ctx) {
    const tolerations = ctx.placement.clusterTolerations ?? [];
    const holder = ctx.holders.has(memberName(cluster));
    let keepOnly: string | undefined;
    let until: Date | undefined;
    for (const taint of cluster.spec.taints ?? []) {
      if (taint.effect !== "NoSchedule" && taint.effect !== "NoExecute") continue;
      const matching = tolerations.filter((t) => tolerates(t, taint));
      if (matching.length === 0) {
        if (taint.effect === "NoSchedule" && holder) {
          keepOnly ??= `had untolerated taint ${formatTaint(taint)}`;
          continue;
        }
        return { fit: false, reason: `cluster(s) had untolerated taint ${formatTaint(taint)}` };
      }
      if (taint.effect !== "NoExecute") continue;
      const expiry = toleratedUntil(taint, matching, ctx.now);
      if (!expiry) continue;
      if (ctx.now.getTime() >= expiry.getTime()) {
        return {
          fit: false,
          reason: `cluster(s) had taint ${formatTaint(taint)} tolerated only until ${expiry.toISOString()}`,
        };
      }
      if (!until || expiry < until) until = expiry;
    }
    if (!keepOnly && !until) return FIT;
    const result: FilterResult = { fit: true };
    if (keepOnly) result.keepOnly = keepOnly;
    if (until) result.until = until;
    return result;
  },
};
