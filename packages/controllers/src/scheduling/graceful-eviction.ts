import { BindingConditions, type GracefulEvictionTask, type ResourceBinding } from "@atoll/api";

/** Why a task was ended. */
export type TaskEnd =
  /** Every member the binding now runs in is applied and healthy, with all its replicas placed. */
  | "ReplacementHealthy"
  /** creationTimestamp + gracePeriodSeconds has passed. */
  | "GracePeriodOver"
  /** suppressDeletion was set to false: someone confirmed the old copy may go. */
  | "DeletionConfirmed";

export type TaskAssessment = {
  keep: GracefulEvictionTask[];
  ended: Array<{ task: GracefulEvictionTask; why: TaskEnd }>;
  /** When the first kept task's grace period ends. */
  recheckAt?: Date;
};

/**
 * Whether the binding's replacement copies can take over: the scheduler has
 * decided for the current spec (so spec.clusters already holds the new
 * members), the replicas asked for are all placed, and every member in
 * spec.clusters reports the object applied and Healthy.
 */
export function replacementsReady(binding: ResourceBinding): boolean {
  const { spec, status, metadata } = binding;
  if (status?.schedulerObservedGeneration !== metadata.generation) return false;
  const scheduled = status?.conditions?.find((c) => c.type === BindingConditions.Scheduled);
  if (scheduled?.status !== "True") return false;
  const clusters = spec.clusters ?? [];
  if (clusters.length === 0) return false;
  const placed = clusters.reduce((sum, c) => sum + (c.replicas ?? 0), 0);
  if (placed < (spec.replicas ?? 0)) return false;
  const byMember = new Map((status?.aggregatedStatus ?? []).map((s) => [s.clusterName, s]));
  return clusters.every((c) => {
    const item = byMember.get(c.name);
    return item?.applied === true && item.health === "Healthy";
  });
}

/**
 * Karmada's graceful eviction assessment: a task held by suppressDeletion
 * stays whatever happens; one whose suppressDeletion was cleared to false
 * ends at once; otherwise a task ends when the replacements are ready or
 * its grace period (its own gracePeriodSeconds, else the default) is over.
 * A task without a creationTimestamp cannot time out and waits for the
 * replacements.
 */
export function assessEvictionTasks(
  binding: ResourceBinding,
  options: { now: Date; defaultGracePeriodSeconds: number },
): TaskAssessment {
  const assessment: TaskAssessment = { keep: [], ended: [] };
  let ready: boolean | undefined;
  for (const task of binding.spec.gracefulEvictionTasks ?? []) {
    if (task.suppressDeletion === true) {
      assessment.keep.push(task);
      continue;
    }
    if (task.suppressDeletion === false) {
      assessment.ended.push({ task, why: "DeletionConfirmed" });
      continue;
    }
    const created = task.creationTimestamp ? Date.parse(task.creationTimestamp) : Number.NaN;
    const deadline = Number.isNaN(created)
      ? undefined
      : new Date(created + (task.gracePeriodSeconds ?? options.defaultGracePeriodSeconds) * 1000);
    if (deadline && options.now >= deadline) {
      assessment.ended.push({ task, why: "GracePeriodOver" });
      continue;
    }
    ready ??= replacementsReady(binding);
    if (ready) {
      assessment.ended.push({ task, why: "ReplacementHealthy" });
      continue;
    }
    assessment.keep.push(task);
    if (deadline && (!assessment.recheckAt || deadline < assessment.recheckAt))
      assessment.recheckAt = deadline;
  }
  return assessment;
}
