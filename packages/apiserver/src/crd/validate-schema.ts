import type { StatusCause } from "../api/errors.ts";
import { ruleDefinitionErrors } from "./cel-rules.ts";
import type { JSONSchemaProps } from "./definition.ts";
import { child, forbidden, index, invalid, key, notSupported, required } from "./field-errors.ts";
import { TYPE_META_FIELDS } from "./object-meta.ts";

/** Where in the schema the walk is: defaults are forbidden in some places, embedded resources in others. */
type Context = { defaultsForbiddenReason?: string; insideResourceMeta: boolean };

const OPENAPI_TYPES = ["array", "boolean", "integer", "number", "object", "string"];

/**
 * The OpenAPI-level checks kube-apiserver runs on every node of a CRD
 * version's `openAPIV3Schema` (ValidateCustomResourceDefinitionOpenAPISchema):
 * supported keywords and types, where defaults may appear, list and map
 * type extensions, and `x-kubernetes-validations` rules that must compile.
 */
export function validateOpenAPISchema(schema: JSONSchemaProps, path: string): StatusCause[] {
  return walk(schema, path, { insideResourceMeta: false }, true);
}

function isMetaField(name: string): boolean {
  return TYPE_META_FIELDS.some((f) => f === name);
}

function walk(
  schema: JSONSchemaProps | undefined,
  path: string,
  ctx: Context,
  isRoot: boolean,
): StatusCause[] {
  if (!schema || typeof schema !== "object") return [];
  const causes = standardChecks(schema, path, ctx);
  if (schema.uniqueItems === true) {
    causes.push(
      forbidden(
        child(path, "uniqueItems"),
        "uniqueItems cannot be set to true since the runtime complexity becomes quadratic",
      ),
    );
  }
  const additional = schema.additionalProperties;
  if (additional !== undefined) {
    if (
      Object.keys(schema.properties ?? {}).length &&
      (additional === false || typeof additional === "object")
    ) {
      causes.push(
        forbidden(
          child(path, "additionalProperties"),
          "additionalProperties and properties are mutual exclusive",
        ),
      );
    }
    if (typeof additional === "object") {
      const sub = ctx.insideResourceMeta
        ? { ...ctx, defaultsForbiddenReason: "inside additionalProperties applying to object metadata" }
        : ctx;
      causes.push(...walk(additional, child(path, "additionalProperties"), sub, false));
    }
  }
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    let sub = ctx;
    if ((isRoot || schema["x-kubernetes-embedded-resource"]) && isMetaField(name)) {
      sub = { ...sub, insideResourceMeta: true };
      if (isRoot) sub = { ...sub, defaultsForbiddenReason: `in top-level ${name}` };
    }
    causes.push(...walk(property, key(child(path, "properties"), name), sub, false));
  }
  causes.push(...walk(schema.not, child(path, "not"), ctx, false));
  for (const junctor of ["allOf", "oneOf", "anyOf"] as const) {
    schema[junctor]?.forEach((sub, i) => {
      causes.push(...walk(sub, index(child(path, junctor), i), ctx, false));
    });
  }
  if (Array.isArray(schema.items)) {
    schema.items.forEach((sub, i) => {
      causes.push(...walk(sub, index(child(path, "items"), i), ctx, false));
    });
  } else {
    causes.push(...walk(schema.items, child(path, "items"), ctx, false));
  }
  if (schema["x-kubernetes-preserve-unknown-fields"] === false) {
    causes.push(
      invalid(child(path, "x-kubernetes-preserve-unknown-fields"), false, "must be true or undefined"),
    );
  }
  causes.push(...listAndMapTypeChecks(schema, path));
  causes.push(...ruleShapeChecks(schema, path));
  causes.push(...listKeyNullability(schema, path));
  return causes;
}

/** specStandardValidatorV3: keywords CRDs do not support. */
function standardChecks(schema: JSONSchemaProps, path: string, ctx: Context): StatusCause[] {
  const causes: StatusCause[] = [];
  if (schema.type && !OPENAPI_TYPES.includes(schema.type)) {
    if (schema.type === "null") {
      causes.push(
        forbidden(child(path, "type"), "type cannot be set to null, use nullable as an alternative"),
      );
    } else {
      causes.push(notSupported(child(path, "type"), schema.type, OPENAPI_TYPES));
    }
  }
  if (schema.default !== undefined && ctx.defaultsForbiddenReason) {
    causes.push(forbidden(child(path, "default"), `must not be set ${ctx.defaultsForbiddenReason}`));
  }
  const unsupported = [
    ["id", schema.id !== undefined && schema.id !== ""],
    ["additionalItems", schema.additionalItems !== undefined],
    ["patternProperties", Object.keys(schema.patternProperties ?? {}).length > 0],
    ["definitions", Object.keys(schema.definitions ?? {}).length > 0],
    ["dependencies", schema.dependencies !== undefined],
    ["$ref", schema.$ref !== undefined],
  ] as const;
  for (const [name, present] of unsupported) {
    if (present) causes.push(forbidden(child(path, name), `${name} is not supported`));
  }
  if (Array.isArray(schema.items)) {
    causes.push(forbidden(child(path, "items"), "items must be a schema object and not an array"));
  }
  if (ctx.insideResourceMeta && schema["x-kubernetes-embedded-resource"]) {
    causes.push(
      forbidden(child(path, "x-kubernetes-embedded-resource"), "must not be used inside of resource meta"),
    );
  }
  return causes;
}

function requiresType(schema: JSONSchemaProps, path: string, type: string, extension: string): StatusCause[] {
  if (schema.type === type) return [];
  const detail = `must be ${type} if ${extension} is specified`;
  return [
    schema.type ? invalid(child(path, "type"), schema.type, detail) : required(child(path, "type"), detail),
  ];
}

function listAndMapTypeChecks(schema: JSONSchemaProps, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const mapType = schema["x-kubernetes-map-type"];
  if (mapType !== undefined) {
    causes.push(...requiresType(schema, path, "object", "x-kubernetes-map-type"));
    if (mapType !== "atomic" && mapType !== "granular") {
      causes.push(notSupported(child(path, "x-kubernetes-map-type"), mapType, ["atomic", "granular"]));
    }
  }
  const listType = schema["x-kubernetes-list-type"];
  const items = Array.isArray(schema.items) ? undefined : schema.items;
  if (listType !== undefined && schema.type !== "array") {
    causes.push(...requiresType(schema, path, "array", "x-kubernetes-list-type"));
  } else if (listType === "set" && items) {
    if (
      items.type === "array" &&
      items["x-kubernetes-list-type"] &&
      items["x-kubernetes-list-type"] !== "atomic"
    ) {
      causes.push(
        invalid(
          child(path, "items.x-kubernetes-list-type"),
          items["x-kubernetes-list-type"],
          "must be atomic as item of a list with x-kubernetes-list-type=set",
        ),
      );
    }
    if (items.type === "object" && items["x-kubernetes-map-type"] !== "atomic") {
      causes.push(
        invalid(
          child(path, "items.x-kubernetes-map-type"),
          items["x-kubernetes-map-type"] ?? null,
          "must be atomic as item of a list with x-kubernetes-list-type=set",
        ),
      );
    }
  }
  if (listType !== undefined && !["atomic", "set", "map"].includes(listType)) {
    causes.push(notSupported(child(path, "x-kubernetes-list-type"), listType, ["atomic", "set", "map"]));
  }
  const keys = schema["x-kubernetes-list-map-keys"] ?? [];
  if (keys.length && listType !== "map") {
    const detail = "must be map if x-kubernetes-list-map-keys is non-empty";
    const at = child(path, "x-kubernetes-list-type");
    causes.push(listType === undefined ? required(at, detail) : invalid(at, listType, detail));
  }
  if (listType === "map") causes.push(...listMapChecks(schema, path, keys));
  return causes;
}

function listMapChecks(schema: JSONSchemaProps, path: string, keys: readonly string[]): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!keys.length) {
    causes.push(
      required(
        child(path, "x-kubernetes-list-map-keys"),
        "must not be empty if x-kubernetes-list-type is map",
      ),
    );
  }
  if (schema.items === undefined) {
    causes.push(required(child(path, "items"), "must have a schema if x-kubernetes-list-type is map"));
    return causes;
  }
  if (Array.isArray(schema.items)) {
    causes.push(
      invalid(
        child(path, "items"),
        schema.items,
        "must only have a single schema if x-kubernetes-list-type is map",
      ),
    );
    return causes;
  }
  const items = schema.items;
  if (items.type !== "object") {
    causes.push(
      invalid(
        child(path, "items.type"),
        items.type ?? "",
        "must be object if parent array's x-kubernetes-list-type is map",
      ),
    );
    return causes;
  }
  const seen = new Set<string>();
  for (const k of keys) {
    const property = items.properties?.[k];
    if (!property) {
      causes.push(
        invalid(
          child(path, "x-kubernetes-list-map-keys"),
          keys,
          "entries must all be names of item properties",
        ),
      );
    } else if (property.type === "array" || property.type === "object") {
      const at = child(key(child(child(path, "items"), "properties"), k), "type");
      causes.push(
        invalid(at, items.type, "must be a scalar type if parent array's x-kubernetes-list-type is map"),
      );
    }
    if (seen.has(k)) {
      causes.push(
        invalid(child(path, "x-kubernetes-list-map-keys"), keys, "must not contain duplicate entries"),
      );
    }
    seen.add(k);
  }
  return causes;
}

/** validateMapListKeysMapSet: set and map list items, and map keys, cannot be null. */
function listKeyNullability(schema: JSONSchemaProps, path: string): StatusCause[] {
  const listType = schema["x-kubernetes-list-type"];
  const items = Array.isArray(schema.items) ? undefined : schema.items;
  if (!items || (listType !== "set" && listType !== "map")) return [];
  const causes: StatusCause[] = [];
  const itemsPath = child(path, "items");
  if (items.nullable)
    causes.push(
      forbidden(
        child(itemsPath, "nullable"),
        `cannot be nullable when x-kubernetes-list-type is ${listType}`,
      ),
    );
  if (listType !== "map") return causes;
  for (const k of schema["x-kubernetes-list-map-keys"] ?? []) {
    const property = items.properties?.[k];
    if (!property) continue;
    const at = key(child(itemsPath, "properties"), k);
    if (!items.required?.includes(k) && property.default === undefined) {
      causes.push(
        required(
          child(at, "default"),
          "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property",
        ),
      );
    }
    if (property.nullable) {
      causes.push(
        forbidden(
          child(at, "nullable"),
          "this property is in x-kubernetes-list-map-keys, so it cannot be nullable",
        ),
      );
    }
  }
  return causes;
}

function ruleShapeChecks(schema: JSONSchemaProps, path: string): StatusCause[] {
  const rules = schema["x-kubernetes-validations"];
  if (!rules?.length) return [];
  const causes: StatusCause[] = [];
  rules.forEach((rule, i) => {
    const at = index(child(path, "x-kubernetes-validations"), i);
    const text = rule.rule?.trim() ?? "";
    const message = rule.message?.trim() ?? "";
    if (!text) causes.push(required(child(at, "rule"), "rule is not specified"));
    else if (rule.message && !message)
      causes.push(invalid(child(at, "message"), rule.message, "message must be non-empty if specified"));
    else if (/[\n\r]/.test(message))
      causes.push(invalid(child(at, "message"), rule.message, "message must not contain line breaks"));
    else if (/[\n\r]/.test(text) && !message)
      causes.push(required(child(at, "message"), "message must be specified if rule contains line breaks"));
  });
  return causes.length ? causes : ruleDefinitionErrors(schema, path);
}
