import type { Condition } from "./workload-types.ts";

/** The condition of `type`, if present. */
export function findCondition(conditions: Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** The conditions without the one of `type`. */
export function withoutCondition(conditions: Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

/**
 * Sets a condition as the apps controllers' `SetCondition` helpers do:
 * nothing changes when one of that type already has the same status and
 * reason; a condition whose status is unchanged keeps its
 * lastTransitionTime; the new one goes last.
 */
export function setCondition(conditions: Condition[] | undefined, condition: Condition): Condition[] {
  const current = findCondition(conditions, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) {
    return conditions ?? [];
  }
  const next = { ...condition };
  if (current && current.status === condition.status) next.lastTransitionTime = current.lastTransitionTime;
  return [...withoutCondition(conditions, condition.type), next];
}
