import type { Condition } from "@atoll/api";
import { jsonEqual, rfc3339 } from "@atoll/kube";

/** A condition as decided, before its transition time is known. */
export type ConditionState = Omit<Condition, "lastTransitionTime" | "observedGeneration">;

/**
 * `existing` with each of `set` put in place of its type and each type of
 * `remove` dropped; a condition whose status did not change keeps its
 * lastTransitionTime, so re-deciding the same thing writes nothing.
 */
export function mergeConditions(
  existing: readonly Condition[] | undefined,
  set: readonly ConditionState[],
  remove: readonly string[],
  now: Date,
): Condition[] {
  const result = (existing ?? []).filter(
    (c) => !remove.includes(c.type) && !set.some((s) => s.type === c.type),
  );
  for (const state of set) {
    const old = existing?.find((c) => c.type === state.type);
    const lastTransitionTime =
      old && old.status === state.status && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(now);
    result.push({ ...state, lastTransitionTime });
  }
  return result;
}

/** Whether two condition lists say the same, in any order (transition times included). */
export function sameConditions(
  a: readonly Condition[] | undefined,
  b: readonly Condition[] | undefined,
): boolean {
  const sort = (list: readonly Condition[] | undefined) =>
    [...(list ?? [])].sort((x, y) => (x.type < y.type ? -1 : x.type > y.type ? 1 : 0));
  return jsonEqual(sort(a), sort(b));
}
