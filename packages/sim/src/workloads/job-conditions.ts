import { rfc3339 } from "@atoll/kube";
import type { Condition } from "./workload-types.ts";

/** The Job condition reasons and messages Kubernetes writes. */
export const JobReasons = {
  backoffLimitExceeded: ["BackoffLimitExceeded", "Job has reached the specified backoff limit"],
  deadlineExceeded: ["DeadlineExceeded", "Job was active longer than specified deadline"],
  completionsReached: ["CompletionsReached", "Reached expected number of succeeded pods"],
  suspended: ["JobSuspended", "Job suspended"],
  resumed: ["JobResumed", "Job resumed"],
} as const;

/** A Job condition stamped `now` (lastProbeTime and lastTransitionTime). */
export function jobCondition(
  type: string,
  status: Condition["status"],
  reason: string,
  message: string,
  now: Date,
): Condition {
  const at = rfc3339(now);
  return { type, status, lastProbeTime: at, lastTransitionTime: at, reason, message };
}

/**
 * Adds or updates a condition (`ensureJobConditionStatus`): a new one only
 * when its status is not False; an existing one is replaced when its status,
 * reason or message differ. Returns the list and whether it changed.
 */
export function ensureJobCondition(
  conditions: Condition[] | undefined,
  condition: Condition,
): { conditions: Condition[]; changed: boolean } {
  const list = conditions ?? [];
  const at = list.findIndex((c) => c.type === condition.type);
  if (at >= 0) {
    const current = list[at];
    if (
      current.status === condition.status &&
      current.reason === condition.reason &&
      current.message === condition.message
    ) {
      return { conditions: list, changed: false };
    }
    return { conditions: list.map((c, i) => (i === at ? condition : c)), changed: true };
  }
  if (condition.status === "False") return { conditions: list, changed: false };
  return { conditions: [...list, condition], changed: true };
}

/** A condition of `type` with status True is present. */
export function hasTrueCondition(conditions: Condition[] | undefined, type: string): boolean {
  return (conditions ?? []).some((c) => c.type === type && c.status === "True");
}

/** Complete or Failed: the Job will do nothing more. */
export function isJobFinished(conditions: Condition[] | undefined): boolean {
  return hasTrueCondition(conditions, "Complete") || hasTrueCondition(conditions, "Failed");
}
