import type { StatusCause } from "../api/errors.ts";
import type { JSONSchemaProps } from "./definition.ts";
import { child, invalid, key } from "./field-errors.ts";
import { unknownFields } from "./prune.ts";
import { validateObject } from "./validate-object.ts";

/**
 * Checks every `default` in a structural schema the way kube-apiserver does
 * (ValidateDefaults): a default must be pruned already (no fields the schema
 * drops) and must itself validate against its node's schema. Causes are
 * reported under `<node>.default`.
 */
export function validateDefaults(schema: JSONSchemaProps, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  visit(schema, path, true, causes);
  return causes;
}

function visit(s: JSONSchemaProps, path: string, isRoot: boolean, causes: StatusCause[]): void {
  if (s.default !== undefined && !isRoot) causes.push(...checkDefault(s, child(path, "default")));
  const items = Array.isArray(s.items) ? undefined : s.items;
  if (items) visit(items, child(path, "items"), false, causes);
  for (const [name, property] of Object.entries(s.properties ?? {})) {
    // Top-level metadata defaults are forbidden by the schema checks; its contents are ObjectMeta's business.
    if (isRoot && name === "metadata") continue;
    visit(property, key(child(path, "properties"), name), false, causes);
  }
  if (typeof s.additionalProperties === "object")
    visit(s.additionalProperties, child(path, "additionalProperties"), false, causes);
}

function checkDefault(s: JSONSchemaProps, path: string): StatusCause[] {
  const value = s.default;
  const embedded = s["x-kubernetes-embedded-resource"] === true;
  if (unknownFields(value, s, { root: embedded }).length) {
    return [invalid(path, value, "must not have unknown fields")];
  }
  return validateObject(value, s, { celRules: false }).map((cause) => ({
    ...cause,
    field: cause.field ? `${path}${cause.field.startsWith("[") ? "" : "."}${cause.field}` : path,
  }));
}
