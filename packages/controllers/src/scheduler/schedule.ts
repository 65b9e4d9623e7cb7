import { fitError } from "./fit-error.ts";
import { type Attempt, runPipeline } from "./pipeline.ts";
import type { ScheduleInput, ScheduleResult, ScheduleSuccess, TargetCluster } from "./schedule-types.ts";

/** The attempt's placement: members by name, zero-replica members dropped unless nothing has replicas. */
export function placementOf(attempt: Attempt, replicas: number): TargetCluster[] {
  return [...(attempt.assignment ?? [])]
    .filter(([, n]) => replicas === 0 || n > 0)
    .map(([name, n]) => ({ name, replicas: n }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The result the attempts come to: the last one's placement, or a fit error covering them all. */
export function resultOf(attempts: readonly Attempt[], replicas: number): ScheduleResult {
  const last = attempts[attempts.length - 1];
  if (!last.assignment) return { error: fitError(attempts) };
  const clusters = placementOf(last, replicas);
  const result: ScheduleSuccess = { clusters };
  if (last.affinityName !== undefined) result.affinityName = last.affinityName;
  const chosen = new Set(clusters.map((c) => c.name));
  for (const c of last.selected) {
    if (c.until && chosen.has(c.name) && (!result.nextChangeAt || c.until < result.nextChangeAt)) {
      result.nextChangeAt = c.until;
    }
  }
  return result;
}

/**
 * Decides where an object goes and how many replicas each member gets —
 * Karmada's generic scheduler (filter → score → select → assign), pure and
 * deterministic: the same input always gives the same result, and time is
 * only what `input.now` says. Re-scheduling with `previous` keeps members'
 * replicas where they are still valid. When nothing fits, the error says for
 * every member why.
 */
export function schedule(input: ScheduleInput): ScheduleResult {
  return resultOf(runPipeline(input), input.replicas);
}
