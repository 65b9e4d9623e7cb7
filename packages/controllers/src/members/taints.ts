import { type MemberCluster, MemberTaints, type Taint } from "@atoll/api";
import type { ReadyState } from "./health.ts";

/** The taints the hub keeps by itself; others (a user's, `atoll drain`'s) are kept as they are. */
const MANAGED_KEYS = new Set<string>([
  MemberTaints.unreachable,
  MemberTaints.notReady,
  MemberTaints.unschedulable,
]);

/**
 * The member's taints: the user's own, plus the hub's — unreachable (Ready
 * Unknown) or not-ready (Ready False) with NoSchedule at once and NoExecute
 * after the eviction timeout, and unschedulable while cordoned.
 */
export function desiredTaints(
  mc: MemberCluster,
  ready: ReadyState,
  now: number,
  evictionTimeoutMs: number,
): { taints: Taint[]; changed: boolean; nextChangeInMs?: number } {
  const current = mc.spec.taints ?? [];
  // A user's NoExecute taint is stamped with when it was first seen, as Kubernetes does for
  // node taints: a toleration's tolerationSeconds count from timeAdded.
  let stamped = false;
  const own = current
    .filter((t) => !MANAGED_KEYS.has(t.key))
    .map((t) => {
      if (t.effect !== "NoExecute" || t.timeAdded) return t;
      stamped = true;
      return { ...t, timeAdded: new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z") };
    });
  const managed: Taint[] = [];
  let nextChangeInMs: number | undefined;
  const key =
    ready.status === "Unknown" && ready.reason !== "MemberDisabled" && ready.reason !== "Probing"
      ? MemberTaints.unreachable
      : ready.status === "False"
        ? MemberTaints.notReady
        : undefined;
  if (key) {
    const existing = current.find((t) => t.key === key && t.effect === "NoSchedule");
    const since = existing?.timeAdded ? Date.parse(existing.timeAdded) : now;
    managed.push({
      key,
      effect: "NoSchedule",
      timeAdded: new Date(since).toISOString().replace(/\.\d{3}Z$/, "Z"),
    });
    const due = since + evictionTimeoutMs;
    if (now >= due) {
      const noExecute = current.find((t) => t.key === key && t.effect === "NoExecute");
      managed.push({
        key,
        effect: "NoExecute",
        timeAdded: noExecute?.timeAdded ?? new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z"),
      });
    } else {
      nextChangeInMs = due - now;
    }
  }
  if (mc.spec.unschedulable) {
    const existing = current.find((t) => t.key === MemberTaints.unschedulable);
    managed.push({
      key: MemberTaints.unschedulable,
      effect: "NoSchedule",
      timeAdded: existing?.timeAdded ?? new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z"),
    });
  }
  const taints = [...own, ...managed];
  const sameSet = (a: Taint[], b: Taint[]) =>
    a.length === b.length &&
    a.every((t) => b.some((u) => u.key === t.key && u.effect === t.effect && u.value === t.value));
  return { taints, changed: stamped || !sameSet(current, taints), nextChangeInMs };
}
