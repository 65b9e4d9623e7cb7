import type { KubeObject } from "@atoll/kube";
import { isPodReady, podNodeName, podPhase, podReadySince, podRestarts } from "./pod-state.ts";

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function time(value: string | undefined): number {
  const ms = value ? Date.parse(value) : Number.NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

/**
 * Orders pods so that the ones to delete first come first, as Kubernetes'
 * `controller.ActivePodsWithRanks` does: unscheduled before scheduled;
 * Pending before Unknown before Running; not ready before ready; pods doubled
 * up on a node (higher `rank`) first; ready for less time first; more
 * restarts first; newer first.
 */
export function deletionOrder(
  rankOf: (pod: KubeObject) => number = () => 0,
): (a: KubeObject, b: KubeObject) => number {
  return (a, b) => {
    const assigned = Number(podNodeName(a) !== "") - Number(podNodeName(b) !== "");
    if (assigned !== 0) return assigned;
    const phase = (PHASE_ORDER[podPhase(a)] ?? 0) - (PHASE_ORDER[podPhase(b)] ?? 0);
    if (phase !== 0) return phase;
    const ready = Number(isPodReady(a)) - Number(isPodReady(b));
    if (ready !== 0) return ready;
    const rank = rankOf(b) - rankOf(a);
    if (rank !== 0) return rank;
    const readyA = podReadySince(a)?.getTime() ?? 0;
    const readyB = podReadySince(b)?.getTime() ?? 0;
    if (readyA !== readyB) return readyB - readyA;
    const restarts = podRestarts(b) - podRestarts(a);
    if (restarts !== 0) return restarts;
    const created = time(b.metadata.creationTimestamp) - time(a.metadata.creationTimestamp);
    if (created !== 0) return created;
    return (b.metadata.name ?? "").localeCompare(a.metadata.name ?? "");
  };
}

/**
 * The `count` pods of `pods` to delete first; pods sharing a node with more
 * of `pods` rank higher (`getPodsRankedByRelatedPodsOnSameNode`).
 */
export function podsToDelete(pods: KubeObject[], count: number): KubeObject[] {
  if (count <= 0) return [];
  const perNode = new Map<string, number>();
  for (const pod of pods) {
    const node = podNodeName(pod);
    if (node) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const rank = (pod: KubeObject) => perNode.get(podNodeName(pod)) ?? 0;
  return [...pods].sort(deletionOrder(rank)).slice(0, count);
}
