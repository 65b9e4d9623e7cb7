import { isRecord } from "../../api/object.ts";

/** A JSON object inside a Kubernetes object. */
export type JsonObject = Record<string, unknown>;

/**
 * Go decodes a missing field and an explicit `null` alike: both leave a
 * pointer nil. Defaulting functions test pointers for nil, so both count as
 * unset here.
 */
function isNil(value: unknown): boolean {
  return value === undefined || value === null;
}

/**
 * Sets `object[key]` when it is unset: the rule for pointer fields
 * (`*int32`, `*bool`, `*string`), where an explicit zero is a client choice.
 */
export function setIfUnset(object: JsonObject, key: string, value: unknown): void {
  if (isNil(object[key])) object[key] = value;
}

/**
 * Sets `object[key]` when it holds its Go zero value (unset, `""` or `0`): the
 * rule for plain `string`/`int32` fields, where Kubernetes cannot tell an
 * explicit zero from an absent one and replaces both.
 */
export function setIfZero(object: JsonObject, key: string, value: string | number): void {
  const current = object[key];
  if (isNil(current) || current === "" || current === 0) object[key] = value;
}

/** `object[key]` when it is a JSON object. */
export function child(object: JsonObject | undefined, key: string): JsonObject | undefined {
  const value = object?.[key];
  return isRecord(value) ? value : undefined;
}

/**
 * `object[key]`, created as `{}` when unset (a Go struct field that is always
 * present). A value of another type is left for validation to reject, and
 * `undefined` is returned so no default is written into it.
 */
export function ensureChild(object: JsonObject, key: string): JsonObject | undefined {
  if (isNil(object[key])) object[key] = {};
  return child(object, key);
}

/** The JSON objects in the array `object[key]` (other items are skipped). */
export function items(object: JsonObject | undefined, key: string): JsonObject[] {
  const value = object?.[key];
  return Array.isArray(value) ? value.filter(isRecord) : [];
}
