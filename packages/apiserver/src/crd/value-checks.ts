import type { StatusCause } from "../api/errors.ts";
import type { JSONSchemaProps } from "./definition.ts";
import { duplicate, index, invalid, notSupported, tooLong, tooMany, typeInvalid } from "./field-errors.ts";
import { matchesFormat } from "./formats.ts";

/**
 * The keyword checks of one schema node on one value (no recursion), worded
 * as kube-apiserver words OpenAPI failures: `<path> in body should ...`.
 */

/** The JSON type of a value as Kubernetes names it: integral numbers are "integer". */
export function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function inBody(path: string, text: string): string {
  return path ? `${path} in body ${text}` : `in body ${text}`;
}

/** The type check; returns the cause when the value has the wrong type. */
export function checkType(value: unknown, schema: JSONSchemaProps, path: string): StatusCause | undefined {
  const actual = jsonType(value);
  if (value === null && schema.nullable) return undefined;
  if (schema["x-kubernetes-int-or-string"]) {
    if (actual === "integer" || actual === "string") return undefined;
    return typeInvalid(
      path,
      actual,
      inBody(path, `must be of type integer or string: ${JSON.stringify(actual)}`),
    );
  }
  const expected = schema.type;
  if (!expected) return undefined;
  const ok = expected === actual || (expected === "number" && actual === "integer");
  return ok
    ? undefined
    : typeInvalid(path, actual, inBody(path, `must be of type ${expected}: ${JSON.stringify(actual)}`));
}

/** Deep equality of JSON values (key order ignored). */
export function equalJSON(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => k in rb && equalJSON(ra[k], rb[k]));
}

/** A JSON value as a string equal for values `equalJSON` finds equal (object keys sorted): a key for sets and maps. */
export function canonicalJSON(value: unknown): string {
  if (typeof value !== "object" || value === null) return JSON.stringify(value) ?? "undefined";
  if (Array.isArray(value)) return `[${value.map(canonicalJSON).join(",")}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJSON(record[k])}`).join(",")}}`;
}

export function checkEnum(value: unknown, schema: JSONSchemaProps, path: string): StatusCause[] {
  const allowed = schema.enum;
  if (!allowed || allowed.some((a) => equalJSON(a, value))) return [];
  const shown = allowed.map((a) => (typeof a === "string" ? a : JSON.stringify(a)));
  return [notSupported(path, value, shown)];
}

const patterns = new Map<string, RegExp | null>();

function tryRegExp(pattern: string, flags: string): RegExp | null {
  try {
    return new RegExp(pattern, flags);
  } catch {
    return null;
  }
}

function compiledPattern(pattern: string): RegExp | null {
  let re = patterns.get(pattern);
  if (re === undefined) {
    // Go's RE2 accepts escapes (like `\:`) that unicode-mode JavaScript rejects; retry without the flag.
    re = tryRegExp(pattern, "u") ?? tryRegExp(pattern, "");
    patterns.set(pattern, re);
  }
  return re;
}

export function checkString(value: string, schema: JSONSchemaProps, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const length = [...value].length;
  if (schema.maxLength !== undefined && length > schema.maxLength)
    causes.push(tooLong(path, schema.maxLength));
  if (schema.minLength !== undefined && length < schema.minLength) {
    causes.push(invalid(path, value, inBody(path, `should be at least ${schema.minLength} chars long`)));
  }
  const re = schema.pattern === undefined ? null : compiledPattern(schema.pattern);
  if (re && !re.test(value))
    causes.push(invalid(path, value, inBody(path, `should match '${schema.pattern}'`)));
  causes.push(...checkFormat(value, schema, path));
  return causes;
}

function checkFormat(value: unknown, schema: JSONSchemaProps, path: string): StatusCause[] {
  if (!schema.format || matchesFormat(schema.format, value)) return [];
  return [
    typeInvalid(
      path,
      value,
      inBody(path, `must be of type ${schema.format}: ${JSON.stringify(String(value))}`),
    ),
  ];
}

export function checkNumber(value: number, schema: JSONSchemaProps, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const { maximum, minimum, multipleOf } = schema;
  if (maximum !== undefined && (value > maximum || (schema.exclusiveMaximum && value === maximum))) {
    const bound = schema.exclusiveMaximum ? "less than" : "less than or equal to";
    causes.push(invalid(path, value, inBody(path, `should be ${bound} ${maximum}`)));
  }
  if (minimum !== undefined && (value < minimum || (schema.exclusiveMinimum && value === minimum))) {
    const bound = schema.exclusiveMinimum ? "greater than" : "greater than or equal to";
    causes.push(invalid(path, value, inBody(path, `should be ${bound} ${minimum}`)));
  }
  if (multipleOf !== undefined && multipleOf > 0 && !Number.isInteger(value / multipleOf)) {
    causes.push(invalid(path, value, inBody(path, `should be a multiple of ${multipleOf}`)));
  }
  causes.push(...checkFormat(value, schema, path));
  return causes;
}

/** Item key of a `x-kubernetes-list-type: map` item: the key fields' values. */
export function listMapKey(item: unknown, keys: readonly string[]): Record<string, unknown> | undefined {
  if (typeof item !== "object" || item === null || Array.isArray(item)) return undefined;
  const record = item as Record<string, unknown>;
  return Object.fromEntries(keys.filter((k) => record[k] !== undefined).map((k) => [k, record[k]]));
}

export function checkArray(value: unknown[], schema: JSONSchemaProps, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (schema.maxItems !== undefined && value.length > schema.maxItems) {
    causes.push(tooMany(path, value.length, schema.maxItems));
  }
  if (schema.minItems !== undefined && value.length < schema.minItems) {
    causes.push(invalid(path, value.length, inBody(path, `should have at least ${schema.minItems} items`)));
  }
  if (schema.uniqueItems && new Set(value.map(canonicalJSON)).size !== value.length) {
    causes.push(invalid(path, value, inBody(path, "shouldn't contain duplicates")));
  }
  const identity = listIdentity(schema);
  if (identity) {
    const seen = new Set<string>();
    value.forEach((item, i) => {
      const id = identity(item);
      if (id === undefined) return;
      if (seen.has(id)) causes.push(duplicate(index(path, i), identity.shown(item)));
      else seen.add(id);
    });
  }
  return causes;
}

/** How a list's items are told apart: the whole value in `set` lists, the key fields in `map` lists; none in atomic lists. */
export type ListIdentity = ((item: unknown) => string | undefined) & { shown: (item: unknown) => unknown };

export function listIdentity(schema: JSONSchemaProps): ListIdentity | undefined {
  const listType = schema["x-kubernetes-list-type"];
  const keys = schema["x-kubernetes-list-map-keys"] ?? [];
  if (listType === "set")
    return Object.assign((item: unknown) => canonicalJSON(item), { shown: (item: unknown) => item });
  if (listType !== "map" || keys.length === 0) return undefined;
  const key = (item: unknown) => {
    const fields = listMapKey(item, keys);
    return fields === undefined ? undefined : canonicalJSON(fields);
  };
  return Object.assign(key, { shown: (item: unknown) => listMapKey(item, keys) });
}

export function checkObject(
  value: Record<string, unknown>,
  schema: JSONSchemaProps,
  path: string,
): StatusCause[] {
  const causes: StatusCause[] = [];
  const count = Object.keys(value).length;
  if (schema.maxProperties !== undefined && count > schema.maxProperties) {
    causes.push(tooMany(path, count, schema.maxProperties));
  }
  if (schema.minProperties !== undefined && count < schema.minProperties) {
    causes.push(
      invalid(path, count, inBody(path, `should have at least ${schema.minProperties} properties`)),
    );
  }
  return causes;
}

/** The summary cause for a failed `allOf`, `anyOf`, `oneOf` or `not`. */
export function junctorFailure(path: string, text: string): StatusCause {
  return invalid(path, "", inBody(path, text));
}
