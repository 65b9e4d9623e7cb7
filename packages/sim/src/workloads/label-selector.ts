import type { LabelSelector, StringMap } from "./workload-types.ts";

/**
 * Whether `labels` satisfy a metav1.LabelSelector, as
 * `metav1.LabelSelectorAsSelector(...).Matches` decides: a missing selector
 * matches nothing, an empty one everything; `matchLabels` and every
 * `matchExpressions` requirement (In, NotIn, Exists, DoesNotExist) must hold.
 */
export function selectorMatches(selector: LabelSelector | undefined, labels: StringMap | undefined): boolean {
  if (!selector) return false;
  const have = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (have[key] !== value) return false;
  }
  for (const requirement of selector.matchExpressions ?? []) {
    const present = Object.hasOwn(have, requirement.key);
    const values = requirement.values ?? [];
    switch (requirement.operator) {
      case "In":
        if (!present || !values.includes(have[requirement.key])) return false;
        break;
      case "NotIn":
        if (present && values.includes(have[requirement.key])) return false;
        break;
      case "Exists":
        if (!present) return false;
        break;
      case "DoesNotExist":
        if (present) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** True for `{}` (and a selector with only empty parts): it selects every object. */
export function selectsEverything(selector: LabelSelector | undefined): boolean {
  return (
    selector !== undefined &&
    Object.keys(selector.matchLabels ?? {}).length === 0 &&
    (selector.matchExpressions ?? []).length === 0
  );
}
