import type { StatusCause } from "../api/errors.ts";
import type { JSONSchemaProps } from "./definition.ts";
import { child, forbidden, invalid } from "./field-errors.ts";
import { validateStructural } from "./structural-schema.ts";
import { validateDefaults } from "./validate-defaults.ts";
import { validateOpenAPISchema } from "./validate-schema.ts";

/** JSON name → the Go field name kube-apiserver prints in the root-fields message. */
const ALLOWED_AT_ROOT_WITH_STATUS: Record<string, string> = {
  description: "Description",
  type: "Type",
  format: "Format",
  title: "Title",
  maximum: "Maximum",
  exclusiveMaximum: "ExclusiveMaximum",
  minimum: "Minimum",
  exclusiveMinimum: "ExclusiveMinimum",
  maxLength: "MaxLength",
  minLength: "MinLength",
  pattern: "Pattern",
  maxItems: "MaxItems",
  minItems: "MinItems",
  uniqueItems: "UniqueItems",
  multipleOf: "MultipleOf",
  required: "Required",
  items: "Items",
  properties: "Properties",
  externalDocs: "ExternalDocs",
  example: "Example",
  "x-kubernetes-preserve-unknown-fields": "XPreserveUnknownFields",
  "x-kubernetes-validations": "XValidations",
};

function isZero(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === "" || value === 0) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && Object.keys(value).length === 0;
}

/**
 * All checks on one version's `openAPIV3Schema`: the root restrictions when
 * the status subresource is enabled, the OpenAPI keyword checks, structural
 * schema rules, and (when the schema is structural) its defaults.
 */
export function validateVersionSchema(
  schema: JSONSchemaProps,
  path: string,
  statusEnabled: boolean,
): StatusCause[] {
  const causes: StatusCause[] = [];
  if (statusEnabled) causes.push(...rootWithStatus(schema, path));
  if (schema.nullable) causes.push(forbidden(child(path, "nullable"), "nullable cannot be true at the root"));
  causes.push(...validateOpenAPISchema(schema, path));
  const structural = validateStructural(schema, path);
  causes.push(...structural);
  if (structural.length === 0) causes.push(...validateDefaults(schema, path));
  return causes;
}

function rootWithStatus(schema: JSONSchemaProps, path: string): StatusCause[] {
  for (const [name, value] of Object.entries(schema)) {
    if (isZero(value)) continue;
    if (name === "type") {
      if (value !== "object") {
        return [
          invalid(
            child(path, "type"),
            value,
            'only "object" is allowed as the type at the root of the schema if the status subresource is enabled',
          ),
        ];
      }
      continue;
    }
    if (!(name in ALLOWED_AT_ROOT_WITH_STATUS)) {
      const allowed = Object.values(ALLOWED_AT_ROOT_WITH_STATUS).join(" ");
      return [
        invalid(
          path,
          schema,
          `only [${allowed}] fields are allowed at the root of the schema if the status subresource is enabled`,
        ),
      ];
    }
  }
  return [];
}
