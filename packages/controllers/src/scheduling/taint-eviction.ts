import type { GracefulEvictionTask, MemberCluster, ResourceBinding, Taint, TargetCluster } from "@atoll/api";
import { rfc3339 } from "@atoll/kube";
import { formatTaint, noExecuteVerdict } from "./no-execute.ts";

/** The reason and producer of the eviction tasks the taint manager writes. */
export const TAINT_EVICTION = { reason: "TaintUntolerated", producer: "taint-manager" } as const;

/** One member a binding must leave, and the taint that says so. */
export type TaintEviction = { target: TargetCluster; taint: Taint; deadline?: Date };

/** What the taint manager should do for one binding now. */
export type TaintEvictionPlan = {
  evictions: TaintEviction[];
  /** When a toleration with tolerationSeconds runs out on a target: look again then. */
  recheckAt?: Date;
};

/**
 * The targets of a binding that sit under a NoExecute taint the placement
 * does not tolerate (or no longer tolerates), and when the next toleration
 * runs out. Members that are gone are the scheduler's business.
 */
export function taintEvictionPlan(
  binding: ResourceBinding,
  members: ReadonlyMap<string, MemberCluster>,
  now: Date,
): TaintEvictionPlan {
  const tolerations = binding.spec.placement?.clusterTolerations ?? [];
  const plan: TaintEvictionPlan = { evictions: [] };
  for (const target of binding.spec.clusters ?? []) {
    const member = members.get(target.name);
    if (!member) continue;
    const verdict = noExecuteVerdict(member, tolerations, now);
    if (verdict.evict) {
      const eviction: TaintEviction = { target, taint: verdict.taint };
      if (verdict.deadline) eviction.deadline = verdict.deadline;
      plan.evictions.push(eviction);
    } else if (verdict.until && (!plan.recheckAt || verdict.until < plan.recheckAt)) {
      plan.recheckAt = verdict.until;
    }
  }
  return plan;
}

/**
 * The spec change that evicts: the members leave spec.clusters and each
 * gets a graceful eviction task (unless one is already there), so the copy
 * there keeps serving until the replicas placed elsewhere are healthy or the
 * grace period ends. One patch, so no reader ever sees a member dropped
 * without its task.
 */
export function evictionSpec(
  binding: ResourceBinding,
  evictions: readonly TaintEviction[],
  options: { now: Date; gracePeriodSeconds: number },
): { clusters: TargetCluster[]; gracefulEvictionTasks: GracefulEvictionTask[] } {
  const leaving = new Set(evictions.map((e) => e.target.name));
  const tasks = [...(binding.spec.gracefulEvictionTasks ?? [])];
  const tasked = new Set(tasks.map((t) => t.fromCluster));
  for (const { target, taint, deadline } of evictions) {
    if (tasked.has(target.name)) continue;
    const task: GracefulEvictionTask = {
      fromCluster: target.name,
      reason: TAINT_EVICTION.reason,
      message: deadline
        ? `the toleration of taint ${formatTaint(taint)} ran out at ${rfc3339(deadline)}`
        : `taint ${formatTaint(taint)} is not tolerated`,
      producer: TAINT_EVICTION.producer,
      gracePeriodSeconds: options.gracePeriodSeconds,
      creationTimestamp: rfc3339(options.now),
    };
    if (target.replicas !== undefined) task.replicas = target.replicas;
    tasks.push(task);
  }
  return {
    clusters: (binding.spec.clusters ?? []).filter((c) => !leaving.has(c.name)),
    gracefulEvictionTasks: tasks,
  };
}
