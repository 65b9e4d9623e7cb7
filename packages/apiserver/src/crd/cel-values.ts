import type { JSONSchemaProps } from "./definition.ts";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function integer(value: unknown): unknown {
  return typeof value === "number" && Number.isInteger(value) ? BigInt(value) : value;
}

/**
 * Converts a JSON value into the value CEL sees for a schema node, following
 * Kubernetes' type mapping: `integer` → int (bigint), `number` → double,
 * `format: date-time` → timestamp, int-or-string → int or string; untyped
 * (preserve-unknown-fields) integers → int. In a resource (root or embedded),
 * `metadata` exposes only `name` and `generateName`, as in Kubernetes.
 */
export function toCelValue(
  value: unknown,
  schema: JSONSchemaProps | undefined,
  resourceRoot = false,
): unknown {
  if (value === null || value === undefined) return value;
  if (!schema) return untyped(value);
  if (schema["x-kubernetes-int-or-string"]) return integer(value);
  switch (schema.type) {
    case "integer":
      return integer(value);
    case "string":
      if (schema.format === "date-time" && typeof value === "string") {
        const date = new Date(value);
        return Number.isNaN(date.getTime()) ? value : date;
      }
      return value;
    case "number":
    case "boolean":
      return value;
  }
  if (Array.isArray(value)) {
    const items = Array.isArray(schema.items) ? undefined : schema.items;
    return value.map((item) => toCelValue(item, items, items?.["x-kubernetes-embedded-resource"]));
  }
  if (!isObject(value)) return value;
  const additional =
    typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined;
  const resource = resourceRoot || schema["x-kubernetes-embedded-resource"] === true;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (resource && k === "metadata" && isObject(v)) {
      out[k] = metadataView(v);
      continue;
    }
    const property = schema.properties?.[k] ?? additional;
    out[k] = property ? toCelValue(v, property, property["x-kubernetes-embedded-resource"]) : untyped(v);
  }
  return out;
}

function metadataView(metadata: Record<string, unknown>): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  if (typeof metadata.name === "string") view.name = metadata.name;
  if (typeof metadata.generateName === "string") view.generateName = metadata.generateName;
  return view;
}

function untyped(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(untyped);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, untyped(v)]));
  return integer(value);
}
