import {
  BindingConditions,
  type Condition,
  type ResourceBinding,
  type ResourceBindingStatus,
  ScheduledReasons,
} from "@atoll/api";
import { jsonEqual, rfc3339 } from "@atoll/kube";
import { describeFitError, type FitError } from "../scheduler/index.ts";

/** The status fields the scheduling controller owns (server-side applied as one field manager). */
export type SchedulerStatus = Pick<
  ResourceBindingStatus,
  "schedulerObservedGeneration" | "schedulerObservedAffinityName" | "lastScheduledTime"
> & { conditions: Condition[] };

/** What one scheduling pass came to. */
export type SchedulingOutcome =
  | { scheduled: true; generation: number; affinityName?: string }
  | { scheduled: false; generation: number; error: FitError };

export const SCHEDULED_MESSAGE = "Binding has been scheduled successfully.";

function scheduledCondition(binding: ResourceBinding, outcome: SchedulingOutcome, now: Date): Condition {
  const previous = binding.status?.conditions?.find((c) => c.type === BindingConditions.Scheduled);
  const next: Omit<Condition, "lastTransitionTime"> = outcome.scheduled
    ? {
        type: BindingConditions.Scheduled,
        status: "True",
        reason: ScheduledReasons.Success,
        message: SCHEDULED_MESSAGE,
      }
    : {
        type: BindingConditions.Scheduled,
        status: "False",
        // An invalid placement is not a matter of members; everything else is "nothing fits".
        reason:
          outcome.error.reason === "InvalidPlacement"
            ? ScheduledReasons.SchedulerError
            : ScheduledReasons.NoClusterFit,
        message: describeFitError(outcome.error),
      };
  const time = previous && previous.status === next.status ? previous.lastTransitionTime : rfc3339(now);
  return { ...next, observedGeneration: outcome.generation, lastTransitionTime: time };
}

/**
 * The scheduler's status after `outcome`. A success records the generation
 * it decided for, the affinity group and the time; a failure changes only
 * the condition, so the observed generation keeps saying which spec the
 * current clusters were chosen for (and stays behind, so any member change
 * retries). Owned fields are always all present: with server-side apply, a
 * field left out would be removed.
 */
export function schedulerStatus(
  binding: ResourceBinding,
  outcome: SchedulingOutcome,
  now: Date,
): SchedulerStatus {
  const current = binding.status ?? {};
  const status: SchedulerStatus = { conditions: [scheduledCondition(binding, outcome, now)] };
  if (outcome.scheduled) {
    status.schedulerObservedGeneration = outcome.generation;
    if (outcome.affinityName !== undefined) status.schedulerObservedAffinityName = outcome.affinityName;
    status.lastScheduledTime = rfc3339(now);
    return status;
  }
  if (current.schedulerObservedGeneration !== undefined)
    status.schedulerObservedGeneration = current.schedulerObservedGeneration;
  if (current.schedulerObservedAffinityName !== undefined)
    status.schedulerObservedAffinityName = current.schedulerObservedAffinityName;
  if (current.lastScheduledTime !== undefined) status.lastScheduledTime = current.lastScheduledTime;
  return status;
}

/**
 * Whether writing `next` would tell anything new. Times are not compared: a
 * pass that decides the same thing again does not rewrite the binding.
 */
export function statusChanged(binding: ResourceBinding, next: SchedulerStatus): boolean {
  const current = binding.status ?? {};
  const condition = current.conditions?.find((c) => c.type === BindingConditions.Scheduled);
  const { lastTransitionTime: _a, ...nextCondition } = next.conditions[0];
  const { lastTransitionTime: _b, ...currentCondition } = condition ?? { lastTransitionTime: "" };
  return (
    current.schedulerObservedGeneration !== next.schedulerObservedGeneration ||
    current.schedulerObservedAffinityName !== next.schedulerObservedAffinityName ||
    !jsonEqual(currentCondition, nextCondition)
  );
}
