import type { StatusCause } from "../api/errors.ts";
import { evaluateRules, type OldValue } from "./cel-rules.ts";
import type { JSONSchemaProps } from "./definition.ts";
import { child, index, required } from "./field-errors.ts";
import {
  checkArray,
  checkEnum,
  checkNumber,
  checkObject,
  checkString,
  checkType,
  junctorFailure,
  listIdentity,
} from "./value-checks.ts";

export type ValidateObjectOptions = {
  /** The stored object, on update: transition rules (those using `oldSelf`) run against it. */
  oldObject?: unknown;
  /** Evaluate `x-kubernetes-validations` CEL rules. Default true. */
  celRules?: boolean;
};

type Walk = {
  causes: StatusCause[];
  /** CEL failures, reported after all schema failures as kube-apiserver does. */
  ruleCauses: StatusCause[];
  typeErrors: number;
  celRules: boolean;
};

const ABSENT: OldValue = { present: false };

/**
 * Validates a custom resource (already pruned and defaulted) against its
 * version's structural schema, as kube-apiserver does: types, nullable, enum,
 * bounds, lengths, pattern, format, item and property counts, uniqueness of
 * `set` and `map` lists, `allOf`/`anyOf`/`oneOf`/`not`, then the
 * `x-kubernetes-validations` CEL rules of every node whose subtree has no type
 * errors. Field paths look like `spec.replicas` and `spec.items[0].name`.
 */
export function validateObject(
  obj: unknown,
  schema: JSONSchemaProps,
  options: ValidateObjectOptions = {},
): StatusCause[] {
  const walk: Walk = { causes: [], ruleCauses: [], typeErrors: 0, celRules: options.celRules !== false };
  const old: OldValue =
    options.oldObject === undefined ? ABSENT : { present: true, value: options.oldObject };
  validateNode(walk, { value: obj, schema, path: "", old, root: true });
  return [...walk.causes, ...walk.ruleCauses];
}

type Node = { value: unknown; schema: JSONSchemaProps; path: string; old: OldValue; root?: boolean };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function validateNode(walk: Walk, node: Node): void {
  const { value, schema, path } = node;
  const typeErrorsBefore = walk.typeErrors;
  const typeError = checkType(value, schema, path);
  if (typeError) {
    walk.causes.push(typeError);
    walk.typeErrors++;
    return;
  }
  if (value === null) return;
  walk.causes.push(...checkEnum(value, schema, path));
  if (typeof value === "string") walk.causes.push(...checkString(value, schema, path));
  else if (typeof value === "number") walk.causes.push(...checkNumber(value, schema, path));
  else if (Array.isArray(value)) validateArray(walk, node, value);
  else if (isObject(value)) validateProperties(walk, node, value);
  validateJunctors(walk, node);
  if (walk.celRules && schema["x-kubernetes-validations"]?.length && walk.typeErrors === typeErrorsBefore) {
    walk.ruleCauses.push(...evaluateRules({ schema, value, old: node.old, path, root: node.root }));
  }
}

function validateArray(walk: Walk, node: Node, value: unknown[]): void {
  const { schema, path } = node;
  walk.causes.push(...checkArray(value, schema, path));
  const items = Array.isArray(schema.items) ? undefined : schema.items;
  if (!items) return;
  const correlated = correlatedItems(node);
  value.forEach((item, i) => {
    validateNode(walk, { value: item, schema: items, path: index(path, i), old: correlated(item) });
  });
}

/** The old item each item correlates with: by key in `map` lists, by value in `set` lists, none in atomic lists. */
function correlatedItems(node: Node): (item: unknown) => OldValue {
  const { schema, old } = node;
  const identity = listIdentity(schema);
  if (!identity || !old.present || !Array.isArray(old.value)) return () => ABSENT;
  const byIdentity = new Map<string, unknown>();
  for (const o of old.value) {
    const id = identity(o);
    if (id !== undefined && !byIdentity.has(id)) byIdentity.set(id, o);
  }
  return (item) => {
    const id = identity(item);
    return id !== undefined && byIdentity.has(id) ? { present: true, value: byIdentity.get(id) } : ABSENT;
  };
}

function childOld(old: OldValue, name: string): OldValue {
  return old.present && isObject(old.value) && name in old.value
    ? { present: true, value: old.value[name] }
    : ABSENT;
}

function validateProperties(walk: Walk, node: Node, value: Record<string, unknown>): void {
  const { schema, path } = node;
  for (const name of schema.required ?? []) {
    if (value[name] === undefined) walk.causes.push(required(child(path, name)));
  }
  walk.causes.push(...checkObject(value, schema, path));
  const additional =
    typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined;
  for (const [name, v] of Object.entries(value)) {
    const property = schema.properties?.[name] ?? additional;
    if (!property || v === undefined) continue;
    validateNode(walk, {
      value: v,
      schema: property,
      path: child(path, name),
      old: childOld(node.old, name),
      root: property["x-kubernetes-embedded-resource"] === true,
    });
  }
}

/** Value validations under a junctor: the same checks, without CEL, collected apart. */
function branchCauses(node: Node, schema: JSONSchemaProps): StatusCause[] {
  const walk: Walk = { causes: [], ruleCauses: [], typeErrors: 0, celRules: false };
  validateNode(walk, { ...node, schema, old: ABSENT });
  return walk.causes;
}

function validateJunctors(walk: Walk, node: Node): void {
  const { schema, path } = node;
  for (const sub of schema.allOf ?? []) {
    const causes = branchCauses(node, sub);
    if (causes.length)
      walk.causes.push(...causes, junctorFailure(path, "must validate all the schemas (allOf)"));
  }
  if (schema.anyOf?.length) {
    const results = schema.anyOf.map((sub) => branchCauses(node, sub));
    if (!results.some((r) => r.length === 0)) {
      walk.causes.push(...results[0], junctorFailure(path, "must validate at least one schema (anyOf)"));
    }
  }
  if (schema.oneOf?.length) {
    const results = schema.oneOf.map((sub) => branchCauses(node, sub));
    const passing = results.filter((r) => r.length === 0).length;
    if (passing === 0) walk.causes.push(...results[0]);
    if (passing !== 1)
      walk.causes.push(junctorFailure(path, "must validate one and only one schema (oneOf)"));
  }
  if (schema.not && branchCauses(node, schema.not).length === 0) {
    walk.causes.push(junctorFailure(path, "must not validate the schema (not)"));
  }
}
