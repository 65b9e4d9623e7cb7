import type { Condition } from "@atoll/api";
import { rfc3339 } from "@atoll/kube";

/** A condition as a controller decides it; the transition time is filled in when it is written. */
export type WantedCondition = Omit<Condition, "lastTransitionTime">;

/**
 * `current` with `wanted` set: transition times kept where the status did not
 * change, conditions of `owned` types not wanted removed, others kept as they
 * are. Undefined when nothing would change.
 */
export function nextConditions(
  current: readonly Condition[],
  wanted: readonly WantedCondition[],
  options: { owned: readonly string[]; now: Date },
): Condition[] | undefined {
  const next = current.filter(
    (c) => !options.owned.includes(c.type) || wanted.some((w) => w.type === c.type),
  );
  let changed = next.length !== current.length;
  for (const want of wanted) {
    const index = next.findIndex((c) => c.type === want.type);
    const existing = index >= 0 ? next[index] : undefined;
    if (
      existing &&
      existing.status === want.status &&
      existing.reason === want.reason &&
      existing.message === want.message
    )
      continue;
    changed = true;
    const condition: Condition = {
      ...want,
      lastTransitionTime:
        existing && existing.status === want.status ? existing.lastTransitionTime : rfc3339(options.now),
    };
    if (index >= 0) next[index] = condition;
    else next.push(condition);
  }
  return changed ? next : undefined;
}
