import { StatusError } from "../api/errors.ts";
import {
  InvalidRequirementError,
  type LabelOperator,
  type LabelRequirement,
  newRequirement,
  requirementMatches,
  requirementText,
} from "./label-requirement.ts";
import { parseRequirements } from "./label-syntax.ts";
import { goQuote } from "./label-validation.ts";

export type { LabelOperator, LabelRequirement } from "./label-requirement.ts";

/** A compiled label selector. */
export interface LabelSelector {
  /** Whether an object with these labels is selected; `undefined` means no labels. */
  matches(labels: Record<string, string> | undefined): boolean;
  /** True when the selector selects everything (no requirements). */
  readonly empty: boolean;
  /** The requirements, ANDed, sorted by key. */
  readonly requirements: readonly LabelRequirement[];
  /** The value `key` must equal for a match (`k=v`, `k==v`, or `k in (v)`), if the selector pins one. */
  requiresExactMatch(key: string): string | undefined;
  /** Canonical text, as kube-apiserver prints a selector: `app=web,tier in (a,b),!legacy`. */
  toString(): string;
}

/** `metav1.LabelSelector`, as found in Deployments, Services' owners, NetworkPolicies and the like. */
export type LabelSelectorObject = {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: readonly LabelSelectorExpression[] | null;
};

/** One `matchExpressions` entry; `operator` is In, NotIn, Exists or DoesNotExist. */
export type LabelSelectorExpression = { key: string; operator: string; values?: readonly string[] | null };

class RequirementSelector implements LabelSelector {
  readonly requirements: readonly LabelRequirement[];
  constructor(requirements: readonly LabelRequirement[]) {
    this.requirements = requirements;
  }
  get empty(): boolean {
    return this.requirements.length === 0;
  }
  matches(labels: Record<string, string> | undefined): boolean {
    return this.requirements.every((requirement) => requirementMatches(requirement, labels));
  }
  requiresExactMatch(key: string): string | undefined {
    const found = this.requirements.find((requirement) => requirement.key === key);
    if (found?.values.length !== 1) return undefined;
    return found.operator === "=" || found.operator === "==" || found.operator === "in"
      ? found.values[0]
      : undefined;
  }
  toString(): string {
    return this.requirements.map(requirementText).join(",");
  }
}

/** Selects nothing: what a nil `metav1.LabelSelector` means. */
const NOTHING: LabelSelector = {
  matches: () => false,
  empty: false,
  requirements: [],
  requiresExactMatch: () => undefined,
  toString: () => "",
};

const byKey = (a: LabelRequirement, b: LabelRequirement): number =>
  a.key < b.key ? -1 : a.key > b.key ? 1 : 0;

/**
 * Parses the `labelSelector` query parameter exactly as kube-apiserver does:
 * `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`, `a<1`,
 * comma for AND, whitespace between tokens. The empty string selects everything.
 * @throws StatusError BadRequest worded as kube-apiserver words it, e.g.
 *   `unable to parse requirement: found '', expected: identifier`.
 */
export function parseLabelSelector(text: string): LabelSelector {
  try {
    return new RequirementSelector(parseRequirements(text));
  } catch (error) {
    throw new StatusError("BadRequest", error instanceof Error ? error.message : String(error), {
      cause: error,
    });
  }
}

const EXPRESSION_OPERATORS: Record<string, LabelOperator> = {
  In: "in",
  NotIn: "notin",
  Exists: "exists",
  DoesNotExist: "!",
};

/**
 * Compiles a `metav1.LabelSelector` as `metav1.LabelSelectorAsSelector` does:
 * `null`/`undefined` selects nothing, `{}` selects everything, and every
 * `matchLabels` entry and `matchExpressions` term must hold.
 * @throws StatusError BadRequest for an unknown operator or an invalid key or value.
 */
export function fromLabelSelectorObject(selector: LabelSelectorObject | null | undefined): LabelSelector {
  if (selector === null || selector === undefined) return NOTHING;
  const labels = Object.entries(selector.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const expressions = selector.matchExpressions ?? [];
  try {
    const requirements = labels.map(([key, value]) => newRequirement(key, "=", [value]));
    for (const expression of expressions) {
      const operator = EXPRESSION_OPERATORS[expression.operator];
      if (!operator)
        throw new InvalidRequirementError(
          `${goQuote(expression.operator)} is not a valid label selector operator`,
        );
      requirements.push(newRequirement(expression.key, operator, expression.values ?? []));
    }
    return new RequirementSelector(requirements.sort(byKey));
  } catch (error) {
    if (!(error instanceof InvalidRequirementError)) throw error;
    throw new StatusError("BadRequest", error.message, { cause: error });
  }
}

/**
 * A selector requiring every label in `set` (as a Service's `spec.selector`).
 * Like apimachinery's `SelectorFromValidatedSet`, it trusts the set; an empty set selects everything.
 */
export function labelSelectorFromSet(set: Record<string, string> | null | undefined): LabelSelector {
  const requirements = Object.entries(set ?? {}).map(([key, value]): LabelRequirement => {
    return { key, operator: "=", values: [value] };
  });
  return new RequirementSelector(requirements.sort(byKey));
}

/** The selector that selects every object. */
export function everything(): LabelSelector {
  return new RequirementSelector([]);
}
