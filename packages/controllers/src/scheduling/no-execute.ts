import {
  type ClusterToleration,
  type MemberCluster,
  MemberConditions,
  MemberTaints,
  type Taint,
} from "@atoll/api";

/** Kubernetes' Toleration.ToleratesTaint: an empty effect or key matches all; Exists ignores the value. */
export function tolerates(toleration: ClusterToleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  if (toleration.operator === "Exists") return true;
  return (toleration.value ?? "") === (taint.value ?? "");
}

/**
 * The member's taints, without hub readiness taints its Ready condition has
 * already outgrown. The member-cluster controller writes Ready before it
 * removes the taint, so for a moment a member that is back carries its
 * unreachable (Ready Unknown) or not-ready (Ready False) taint still;
 * evicting on that would move workloads off a healthy member.
 */
export function effectiveTaints(member: MemberCluster): Taint[] {
  const ready = member.status?.conditions?.find((c) => c.type === MemberConditions.Ready)?.status;
  return (member.spec.taints ?? []).filter((taint) => {
    if (taint.key === MemberTaints.unreachable) return ready === undefined || ready === "Unknown";
    if (taint.key === MemberTaints.notReady) return ready === undefined || ready === "False";
    return true;
  });
}

/** Whether a binding may stay on a member under its NoExecute taints. */
export type NoExecuteVerdict =
  /** A taint is not tolerated (or its tolerationSeconds have run out): the binding must leave. */
  | { evict: true; taint: Taint; deadline?: Date }
  /** It may stay; `until` is when the first toleration with tolerationSeconds runs out. */
  | { evict: false; until?: Date };

/**
 * The taint manager's rule, as Kubernetes applies it to pods on nodes and as
 * the scheduler core applies it when placing: every NoExecute taint needs a
 * matching toleration; a toleration with tolerationSeconds holds until the
 * taint's timeAdded plus the smallest such seconds among the matching ones.
 * A taint without timeAdded counts from `now` (so it never runs out), as the
 * scheduler core counts it — the hub's own taints always carry timeAdded.
 * Readiness taints the member has outgrown are ignored (effectiveTaints).
 */
export function noExecuteVerdict(
  member: MemberCluster,
  tolerations: readonly ClusterToleration[],
  now: Date,
): NoExecuteVerdict {
  let until: Date | undefined;
  for (const taint of effectiveTaints(member)) {
    if (taint.effect !== "NoExecute") continue;
    const matching = tolerations.filter((t) => tolerates(t, taint));
    if (matching.length === 0) return { evict: true, taint };
    const seconds = matching.flatMap((t) => (t.tolerationSeconds === undefined ? [] : [t.tolerationSeconds]));
    if (seconds.length === 0) continue;
    const added = taint.timeAdded ? Date.parse(taint.timeAdded) : now.getTime();
    const deadline = new Date(added + Math.max(0, Math.min(...seconds)) * 1000);
    if (now.getTime() >= deadline.getTime()) return { evict: true, taint, deadline };
    if (!until || deadline < until) until = deadline;
  }
  return until ? { evict: false, until } : { evict: false };
}

/** `{key=value:NoExecute}`, as kubectl prints a taint. */
export function formatTaint(taint: Taint): string {
  return `${taint.key}${taint.value ? `=${taint.value}` : ""}:${taint.effect}`;
}
