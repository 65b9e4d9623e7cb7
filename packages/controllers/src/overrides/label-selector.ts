import type { FieldSelector, FieldSelectorRequirement, LabelSelector } from "./types.ts";

type Requirement = FieldSelectorRequirement;

/**
 * metav1.LabelSelector semantics: every matchLabels pair and every
 * matchExpressions requirement must hold; `{}` matches everything. An invalid
 * selector (unknown operator, In without values, Exists with values) matches
 * nothing, as Karmada's matchers treat a selector that fails to convert.
 */
export function labelSelectorMatches(
  selector: LabelSelector,
  labels: Record<string, string> | undefined,
): boolean {
  const set = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (!Object.hasOwn(set, key) || set[key] !== value) return false;
  }
  return (selector.matchExpressions ?? []).every((requirement) => requirementMatches(requirement, set));
}

/**
 * A NodeSelectorRequirement list over a member's fields, as Karmada's
 * fieldSelector: all requirements must hold. As in Karmada (which converts the
 * list with NodeSelectorRequirementsAsSelector), an empty list matches nothing.
 */
export function fieldSelectorMatches(selector: FieldSelector, fields: Record<string, string>): boolean {
  const expressions = selector.matchExpressions ?? [];
  if (expressions.length === 0) return false;
  return expressions.every((requirement) => requirementMatches(requirement, fields));
}

function requirementMatches(requirement: Requirement, set: Record<string, string>): boolean {
  const values = requirement.values ?? [];
  const present = Object.hasOwn(set, requirement.key);
  const value = set[requirement.key];
  switch (requirement.operator) {
    case "In":
      return values.length > 0 && present && values.includes(value);
    case "NotIn":
      return values.length > 0 && (!present || !values.includes(value));
    case "Exists":
      return values.length === 0 && present;
    case "DoesNotExist":
      return values.length === 0 && !present;
    case "Gt":
    case "Lt": {
      const bound = values.length === 1 ? integer(values[0]) : undefined;
      const actual = present ? integer(value) : undefined;
      if (bound === undefined || actual === undefined) return false;
      return requirement.operator === "Gt" ? actual > bound : actual < bound;
    }
    default:
      return false;
  }
}

function integer(text: string): number | undefined {
  return /^[+-]?[0-9]+$/.test(text) ? Number(text) : undefined;
}
