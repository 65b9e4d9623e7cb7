import {
  aggregateText,
  goStringSlice,
  invalidValueText,
  labelKeyErrors,
  labelValueErrors,
} from "./label-validation.ts";

/** Label selector operators, spelled as apimachinery's `selection.Operator`. */
export type LabelOperator = "=" | "==" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";

/** One clause of a label selector; a selector is the AND of its requirements. */
export type LabelRequirement = {
  readonly key: string;
  readonly operator: LabelOperator;
  readonly values: readonly string[];
};

/** A requirement that broke Kubernetes' rules; `message` is the text kube-apiserver would give. */
export class InvalidRequirementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidRequirementError";
  }
}

const integerPattern = /^[+-]?\d+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function parseInt64(text: string): bigint | undefined {
  if (!integerPattern.test(text)) return undefined;
  const value = BigInt(text);
  return value < INT64_MIN || value > INT64_MAX ? undefined : value;
}

/**
 * Builds a requirement with the checks of apimachinery's `labels.NewRequirement`;
 * errors name the offending field as Go does (`key`, `values[0][app]`).
 * @throws InvalidRequirementError with all problems found, aggregated as Go does.
 */
export function newRequirement(
  key: string,
  operator: LabelOperator,
  values: readonly string[],
): LabelRequirement {
  const errors: string[] = [];
  const keyErrors = labelKeyErrors(key);
  if (keyErrors.length > 0) errors.push(invalidValueText("key", key, keyErrors.join("; ")));
  const shownValues = { raw: goStringSlice(values) };
  switch (operator) {
    case "in":
    case "notin":
      if (values.length === 0) {
        errors.push(
          invalidValueText("values", shownValues, "for 'in', 'notin' operators, values set can't be empty"),
        );
      }
      break;
    case "=":
    case "==":
    case "!=":
      if (values.length !== 1) {
        errors.push(
          invalidValueText("values", shownValues, "exact-match compatibility requires one single value"),
        );
      }
      break;
    case "exists":
    case "!":
      if (values.length !== 0) {
        errors.push(
          invalidValueText("values", shownValues, "values set must be empty for exists and does not exist"),
        );
      }
      break;
    case "gt":
    case "lt":
      if (values.length !== 1) {
        errors.push(
          invalidValueText("values", shownValues, "for 'Gt', 'Lt' operators, exactly one value is required"),
        );
      }
      values.forEach((value, i) => {
        if (parseInt64(value) === undefined) {
          errors.push(
            invalidValueText(`values[${i}]`, value, "for 'Gt', 'Lt' operators, the value must be an integer"),
          );
        }
      });
      break;
  }
  values.forEach((value, i) => {
    const valueErrors = labelValueErrors(value);
    if (valueErrors.length > 0)
      errors.push(invalidValueText(`values[${i}][${key}]`, value, valueErrors.join("; ")));
  });
  if (errors.length > 0) throw new InvalidRequirementError(aggregateText(errors));
  return { key, operator, values: [...values] };
}

/** Whether `labels` satisfy `requirement`, with apimachinery's semantics (a missing key satisfies `!=` and `notin`). */
export function requirementMatches(
  requirement: LabelRequirement,
  labels: Record<string, string> | undefined,
): boolean {
  const has = labels !== undefined && Object.hasOwn(labels, requirement.key);
  const value = has ? labels[requirement.key] : undefined;
  switch (requirement.operator) {
    case "=":
    case "==":
    case "in":
      return value !== undefined && requirement.values.includes(value);
    case "!=":
    case "notin":
      return value === undefined || !requirement.values.includes(value);
    case "exists":
      return has;
    case "!":
      return !has;
    case "gt":
    case "lt": {
      if (value === undefined || requirement.values.length !== 1) return false;
      const actual = parseInt64(value);
      const bound = parseInt64(requirement.values[0]);
      if (actual === undefined || bound === undefined) return false;
      return requirement.operator === "gt" ? actual > bound : actual < bound;
    }
  }
}

const OPERATOR_TEXT: Record<LabelOperator, string> = {
  "=": "=",
  "==": "==",
  "!=": "!=",
  in: " in ",
  notin: " notin ",
  gt: ">",
  lt: "<",
  exists: "",
  "!": "",
};

/** The canonical text of a requirement, as `Requirement.String()` prints it (set values sorted). */
export function requirementText(requirement: LabelRequirement): string {
  const { key, operator, values } = requirement;
  if (operator === "exists") return key;
  if (operator === "!") return `!${key}`;
  const shown = values.length === 1 ? values[0] : [...values].sort().join(",");
  const set = operator === "in" || operator === "notin";
  return `${key}${OPERATOR_TEXT[operator]}${set ? `(${shown})` : shown}`;
}
