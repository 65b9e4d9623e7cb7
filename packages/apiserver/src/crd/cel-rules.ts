import { type Environment, Optional, type ParseResult } from "@marcbachmann/cel-js";
import type { StatusCause } from "../api/errors.ts";
import { createRuleEnvironment } from "./cel-environment.ts";
import { toCelValue } from "./cel-values.ts";
import type { JSONSchemaProps, ValidationRule } from "./definition.ts";
import { CauseReason, causeForReason, child, index, invalid, key, notSupported } from "./field-errors.ts";

/** One `x-kubernetes-validations` rule, parsed once. */
type CompiledRule = {
  rule: ValidationRule;
  program?: ParseResult;
  message?: ParseResult;
  /** References `oldSelf`: evaluated only on update, when an old value correlates. */
  transition: boolean;
  /** Parse failure, reported when the CRD is validated. */
  error?: string;
};

/** The old value correlated with the node being validated, when there is one. */
export type OldValue = { present: false } | { present: true; value: unknown };

const RULE_REASONS = [
  CauseReason.Invalid,
  CauseReason.Forbidden,
  CauseReason.Required,
  CauseReason.Duplicate,
];

// Memoization only: parsed programs keyed by the schema node that holds them,
// so each CRD version's rules are compiled once and released with the schema.
const compiled = new WeakMap<JSONSchemaProps, CompiledRule[]>();
let environments: { plain: Environment; optionalOldSelf: Environment } | undefined;

/** Two environments: rules with `optionalOldSelf` see `oldSelf` typed as `optional<dyn>`. */
function environmentFor(rule: ValidationRule): Environment {
  if (!environments) {
    const plain = createRuleEnvironment();
    environments = { plain, optionalOldSelf: plain.clone().registerVariable("oldSelf", "optional<dyn>") };
  }
  return rule.optionalOldSelf ? environments.optionalOldSelf : environments.plain;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0] ?? text;
}

function referencesOldSelf(rule: string): boolean {
  return /\boldSelf\b/.test(rule.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""'));
}

function compileNode(schema: JSONSchemaProps): CompiledRule[] {
  const cached = compiled.get(schema);
  if (cached) return cached;
  const rules = (schema["x-kubernetes-validations"] ?? []).map((rule): CompiledRule => {
    const env = environmentFor(rule);
    const text = rule.rule?.trim() ?? "";
    const result: CompiledRule = { rule, transition: referencesOldSelf(text) };
    try {
      result.program = env.parse(text);
    } catch (error) {
      result.error = `compilation failed: ${firstLine(error)}`;
    }
    if (rule.messageExpression?.trim()) {
      try {
        result.message = env.parse(rule.messageExpression);
      } catch (error) {
        result.error ??= `messageExpression compilation failed: ${firstLine(error)}`;
      }
    }
    return result;
  });
  compiled.set(schema, rules);
  return rules;
}

/** Compile problems in one node's rules, as CRD validation reports them under `x-kubernetes-validations[i]`. */
export function ruleDefinitionErrors(schema: JSONSchemaProps, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const rulesPath = child(path, "x-kubernetes-validations");
  compileNode(schema).forEach((entry, i) => {
    const rulePath = index(rulesPath, i);
    if (entry.error) causes.push(invalid(child(rulePath, "rule"), entry.rule, entry.error));
    const reason = entry.rule.reason;
    if (reason !== undefined && !RULE_REASONS.some((r) => r === reason)) {
      causes.push(notSupported(child(rulePath, "reason"), reason, RULE_REASONS));
    }
    if (entry.rule.fieldPath !== undefined && normalizeFieldPath(entry.rule.fieldPath) === undefined) {
      causes.push(invalid(child(rulePath, "fieldPath"), entry.rule.fieldPath, "must be a valid path"));
    }
  });
  return causes;
}

/** `ruleErrorString`: the rule's message, or `failed rule: <rule>`. */
function ruleMessage(rule: ValidationRule): string {
  const message = rule.message?.trim();
  return message ? message : `failed rule: ${(rule.rule ?? "").trim().replace(/[\n\r]+/g, " ")}`;
}

/** `.spec.foo['a.b']` → path segments, or undefined when malformed. */
function normalizeFieldPath(fieldPath: string): ((path: string) => string) | undefined {
  const segment = /\.([A-Za-z_][A-Za-z0-9_-]*)|\['((?:[^'\\]|\\.)*)'\]/y;
  const steps: ((path: string) => string)[] = [];
  let at = 0;
  while (at < fieldPath.length) {
    segment.lastIndex = at;
    const m = segment.exec(fieldPath);
    if (!m) return undefined;
    const [, name, mapKey] = m;
    steps.push(name !== undefined ? (p) => child(p, name) : (p) => key(p, mapKey.replace(/\\(.)/g, "$1")));
    at = segment.lastIndex;
  }
  return (path) => steps.reduce((p, step) => step(p), path);
}

function celContext(
  value: unknown,
  schema: JSONSchemaProps,
  root: boolean,
  old: OldValue,
  entry: CompiledRule,
) {
  const context: Record<string, unknown> = { self: toCelValue(value, schema, root) };
  if (entry.transition) {
    const oldValue = old.present ? toCelValue(old.value, schema, root) : undefined;
    context.oldSelf = entry.rule.optionalOldSelf
      ? old.present
        ? Optional.of(oldValue)
        : Optional.none()
      : oldValue;
  }
  return context;
}

/**
 * Evaluates the `x-kubernetes-validations` rules of one schema node against
 * its value. Transition rules (those using `oldSelf`) run only when `old` is
 * present, unless `optionalOldSelf` is set. Failures are reported at `path`
 * (or the rule's `fieldPath` below it) with the rule's `reason`,
 * `messageExpression`, `message` or `failed rule: <rule>`; the root path
 * prints as `<nil>`, as kube-apiserver prints it.
 */
export function evaluateRules(options: {
  schema: JSONSchemaProps;
  value: unknown;
  old: OldValue;
  path: string;
  root?: boolean;
}): StatusCause[] {
  const { schema, value, old, path } = options;
  const causes: StatusCause[] = [];
  const shown = schema.type ?? "";
  for (const entry of compileNode(schema)) {
    if (!entry.program) continue;
    if (entry.transition && !old.present && !entry.rule.optionalOldSelf) continue;
    const context = celContext(value, schema, options.root === true, old, entry);
    let result: unknown;
    try {
      result = entry.program(context);
    } catch (error) {
      causes.push(
        invalid(path || "<nil>", shown, `${firstLine(error)} evaluating rule: ${ruleMessage(entry.rule)}`),
      );
      continue;
    }
    if (result === true) continue;
    const field = normalizeFieldPath(entry.rule.fieldPath ?? "")?.(path) ?? path;
    causes.push(causeForReason(entry.rule.reason, field || "<nil>", shown, detail(entry, context)));
  }
  return causes;
}

function detail(entry: CompiledRule, context: Record<string, unknown>): string {
  if (entry.message) {
    try {
      const message: unknown = entry.message(context);
      if (typeof message === "string" && message.trim() && !/[\n\r]/.test(message)) return message.trim();
    } catch {
      // Kubernetes falls back to the static message when messageExpression fails.
    }
  }
  return ruleMessage(entry.rule);
}
