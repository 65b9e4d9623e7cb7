import { cloneJson } from "@atoll/kube";
import type { JSONSchemaProps } from "./definition.ts";

/**
 * Returns a copy of `obj` with the schema's `default`s applied the way
 * kube-apiserver applies them to custom resources:
 * - a property's default is set when the property is absent (or null and not
 *   nullable), but only inside objects that exist: defaults never create a
 *   missing parent, unless the parent's own default does;
 * - defaults apply inside a freshly defaulted value too;
 * - map values and list items that are null (and not nullable) take the value
 *   or item schema's default;
 * - null values of non-nullable fields without a default are dropped.
 * The input is not modified.
 */
export function applyDefaults(obj: unknown, schema: JSONSchemaProps): unknown {
  const copy = cloneJson(obj);
  applyInPlace(copy, schema);
  return copy;
}

/** `applyDefaults` on an object the caller owns, changed where it is (no copy). */
export function applyDefaultsInPlace(obj: Record<string, unknown>, schema: JSONSchemaProps): void {
  applyInPlace(obj, schema);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isNonNullableNull(value: unknown, schema: JSONSchemaProps | undefined): boolean {
  return value === null && schema !== undefined && !schema.nullable;
}

function valueSchemaOf(schema: JSONSchemaProps): JSONSchemaProps | undefined {
  const additional = schema.additionalProperties;
  return additional && typeof additional === "object" ? additional : undefined;
}

function applyInPlace(value: unknown, schema: JSONSchemaProps | undefined): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    const items = Array.isArray(schema.items) ? undefined : schema.items;
    if (!items) return;
    for (let i = 0; i < value.length; i++) {
      if (isNonNullableNull(value[i], items) && items.default !== undefined)
        value[i] = cloneJson(items.default);
      applyInPlace(value[i], items);
    }
    return;
  }
  if (!isObject(value)) return;
  for (const [k, property] of Object.entries(schema.properties ?? {})) {
    if (property.default === undefined) continue;
    if (!(k in value) || isNonNullableNull(value[k], property)) value[k] = cloneJson(property.default);
  }
  const valueSchema = valueSchemaOf(schema);
  for (const [k, v] of Object.entries(value)) {
    const property = schema.properties?.[k] ?? valueSchema;
    if (!property) continue;
    if (isNonNullableNull(v, property)) {
      if (property.default !== undefined) value[k] = cloneJson(property.default);
      else delete value[k];
    }
    applyInPlace(value[k], property);
  }
}
