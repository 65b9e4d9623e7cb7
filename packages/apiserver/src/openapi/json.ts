/** JSON values and the schema-object helpers shared by the OpenAPI builders. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const V3_REF_PREFIX = "#/components/schemas/";

/** `{"$ref": "#/components/schemas/<name>"}` */
export function ref(name: string): JsonObject {
  return { $ref: `${V3_REF_PREFIX}${name}` };
}

/**
 * A field that refers to a named schema. With a description or extensions the
 * reference is wrapped in a single-element `allOf`, as Kubernetes publishes it,
 * so the siblings are not ignored by strict OpenAPI 3.0 readers.
 */
export function fieldRef(name: string, extra: JsonObject = {}): JsonObject {
  if (Object.keys(extra).length === 0) return ref(name);
  return { allOf: [ref(name)], ...extra };
}

export function str(description: string, extra: JsonObject = {}): JsonObject {
  return { type: "string", description, ...extra };
}

/** Serializes with object keys sorted at every level, as Go's encoder does, so hashes are stable. */
export function stableStringify(value: Json): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const out: JsonObject = {};
  for (const k of Object.keys(value).sort()) out[k] = sortKeys(value[k]);
  return out;
}

/** Every `$ref` value in a document, for integrity checks. */
export function collectRefs(value: Json, into: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, into);
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "$ref" && typeof v === "string") into.push(v);
      else collectRefs(v, into);
    }
  }
  return into;
}
