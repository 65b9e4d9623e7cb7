import type { Shape } from "../schema/shape.ts";
import type { JSONSchemaProps } from "./definition.ts";
import {
  API_VERSION_DESCRIPTION,
  KIND_DESCRIPTION,
  METADATA_DESCRIPTION,
  OBJECT_META_SCHEMA,
} from "./object-meta.ts";

export type SchemaToShapeOptions = {
  /**
   * The schema is a resource root: add the implicit `apiVersion`, `kind` and
   * ObjectMeta `metadata` fields as Kubernetes does. Default true.
   */
  root?: boolean;
};

/**
 * Converts a CRD version's `openAPIV3Schema` into our structural `Shape`:
 * types and enums, required fields, list types and keys, maps from
 * `additionalProperties`, open structs or `any` for
 * `x-kubernetes-preserve-unknown-fields`, int-or-string, and the author's
 * descriptions (for `kubectl explain`). The result has no refs, so any
 * resolver (or none) can follow it.
 */
export function schemaToShape(schema: JSONSchemaProps, options: SchemaToShapeOptions = {}): Shape {
  const shape = convert(schema);
  return options.root === false ? shape : withResourceMeta(shape, schema.description);
}

/** ObjectMeta as a shape, with its list semantics (ownerReferences by uid, finalizers as a set). */
export function objectMetaShape(): Shape {
  return convert(OBJECT_META_SCHEMA);
}

function described<T extends Shape>(shape: T, description: string | undefined): T {
  return description ? { ...shape, description } : shape;
}

function convert(schema: JSONSchemaProps): Shape {
  const description = schema.description;
  if (schema["x-kubernetes-int-or-string"])
    return described({ type: "scalar", scalar: "int-or-string" }, description);
  const preserve = schema["x-kubernetes-preserve-unknown-fields"] === true;
  switch (schema.type) {
    case "string":
      return scalar(schema, schema.format === "date-time" ? "date-time" : "string");
    case "integer":
      return scalar(schema, "integer");
    case "number":
      return scalar(schema, "number");
    case "boolean":
      return scalar(schema, "boolean");
    case "array":
      return list(schema);
    case "object": {
      const shape = object(schema, preserve);
      return schema["x-kubernetes-embedded-resource"] && shape.type === "struct"
        ? withResourceMeta(shape, description)
        : shape;
    }
    default:
      if (schema["x-kubernetes-embedded-resource"])
        return withResourceMeta(object(schema, preserve), description);
      return described({ type: "any" }, description);
  }
}

function scalar(
  schema: JSONSchemaProps,
  type: "string" | "integer" | "number" | "boolean" | "date-time",
): Shape {
  const shape: Shape = { type: "scalar", scalar: type };
  if (schema.enum?.length)
    shape.enum = schema.enum.map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
  return described(shape, schema.description);
}

function list(schema: JSONSchemaProps): Shape {
  const items =
    Array.isArray(schema.items) || !schema.items ? { type: "any" as const } : convert(schema.items);
  const declared = schema["x-kubernetes-list-type"];
  const listType = declared === "set" || declared === "map" ? declared : "atomic";
  const shape: Shape = { type: "list", items, listType };
  const keys = schema["x-kubernetes-list-map-keys"];
  if (listType === "map" && keys?.length) shape.keys = [...keys];
  return described(shape, schema.description);
}

function object(schema: JSONSchemaProps, preserve: boolean): Shape {
  const atomic = schema["x-kubernetes-map-type"] === "atomic";
  const properties = schema.properties ?? {};
  const additional = schema.additionalProperties;
  if (Object.keys(properties).length === 0 && additional !== undefined && additional !== false) {
    const values: Shape = additional === true ? { type: "any" } : convert(additional);
    const shape: Shape = { type: "map", values };
    if (atomic) shape.atomic = true;
    return described(shape, schema.description);
  }
  if (Object.keys(properties).length === 0 && preserve && !schema["x-kubernetes-embedded-resource"]) {
    return described({ type: "any" }, schema.description);
  }
  const fields: Record<string, Shape> = {};
  for (const [name, property] of Object.entries(properties)) fields[name] = convert(property);
  const shape: Shape = { type: "struct", fields };
  if (schema.required?.length) shape.required = [...schema.required];
  if (preserve) shape.open = true;
  if (atomic) shape.atomic = true;
  return described(shape, schema.description);
}

/** Adds apiVersion/kind/metadata to a resource's struct, replacing whatever the schema said about metadata. */
function withResourceMeta(shape: Shape, description: string | undefined): Shape {
  const base: Extract<Shape, { type: "struct" }> =
    shape.type === "struct" ? shape : { type: "struct", fields: {}, open: shape.type === "any" };
  const fields: Record<string, Shape> = {
    apiVersion: { type: "scalar", scalar: "string", description: API_VERSION_DESCRIPTION },
    kind: { type: "scalar", scalar: "string", description: KIND_DESCRIPTION },
    ...base.fields,
    metadata: described(objectMetaShape(), METADATA_DESCRIPTION),
  };
  return described({ ...base, fields }, description ?? base.description);
}
