import type { StatusCause } from "../api/errors.ts";
import type {
  CustomResourceColumnDefinition,
  CustomResourceDefinition,
  CustomResourceDefinitionNames,
  CustomResourceDefinitionVersion,
  CustomResourceSubresources,
  JSONSchemaProps,
} from "./definition.ts";
import { isDNS1035Label, isDNS1123Subdomain } from "./dns-names.ts";
import { child, forbidden, index, invalid, notSupported, required } from "./field-errors.ts";
import { validateVersionSchema } from "./validate-version-schema.ts";

export type ValidateDefinitionOptions = {
  /** The stored CRD, on update: group, plural, scope and kind may not change. */
  old?: CustomResourceDefinition;
};

/**
 * Validates a CustomResourceDefinition (after `defaultDefinition`) as
 * kube-apiserver does, returning one cause per problem with its field path.
 * Webhook conversion is rejected: this server converts between versions only
 * with strategy `None`.
 */
export function validateDefinition(
  crd: CustomResourceDefinition,
  options: ValidateDefinitionOptions = {},
): StatusCause[] {
  const spec = crd.spec ?? {};
  const causes: StatusCause[] = [...validateName(crd)];
  causes.push(...validateGroup(spec.group));
  causes.push(...validateEnum("spec.scope", spec.scope, ["Cluster", "Namespaced"]));
  causes.push(...validateVersions(spec.versions));
  causes.push(...validateNames(spec.names ?? {}, "spec.names"));
  if (spec.preserveUnknownFields === true) {
    causes.push(
      invalid(
        "spec.preserveUnknownFields",
        true,
        "cannot set to true, set x-preserve-unknown-fields to true in spec.versions[*].schema instead",
      ),
    );
  }
  causes.push(...validateConversion(spec.conversion));
  if (options.old) causes.push(...validateImmutable(crd, options.old));
  return causes;
}

function validateName(crd: CustomResourceDefinition): StatusCause[] {
  const name = crd.metadata?.name ?? "";
  if (!name) return [required("metadata.name", "name or generateName is required")];
  const problems = isDNS1123Subdomain(name);
  if (name !== `${crd.spec?.names?.plural ?? ""}.${crd.spec?.group ?? ""}`) {
    problems.push('must be spec.names.plural+"."+spec.group');
  }
  return problems.map((p) => invalid("metadata.name", name, p));
}

function validateGroup(group: string | undefined): StatusCause[] {
  if (!group) return [required("spec.group")];
  const problems = isDNS1123Subdomain(group);
  if (problems.length) return [invalid("spec.group", group, problems.join(","))];
  if (group.split(".").length < 2)
    return [invalid("spec.group", group, "should be a domain with at least one dot")];
  return [];
}

function validateEnum(field: string, value: string | undefined, accepted: readonly string[]): StatusCause[] {
  if (!value) return [required(field)];
  return accepted.includes(value) ? [] : [notSupported(field, value, accepted)];
}

function validateVersions(versions: CustomResourceDefinitionVersion[] | undefined): StatusCause[] {
  const list = versions ?? [];
  if (list.length === 0) return [required("spec.versions", "must have at least one version")];
  const causes: StatusCause[] = [];
  const names = new Set<string>();
  let unique = true;
  list.forEach((version, i) => {
    const name = version.name ?? "";
    if (names.has(name)) unique = false;
    names.add(name);
    const problems = isDNS1035Label(name);
    if (problems.length) causes.push(invalid(`spec.versions[${i}].name`, name, problems.join(",")));
    causes.push(...validateVersion(version, `spec.versions[${i}]`));
  });
  if (!unique) causes.push(invalid("spec.versions", list, "must contain unique version names"));
  if (list.filter((v) => v.storage === true).length !== 1) {
    causes.push(invalid("spec.versions", list, "must have exactly one version marked as storage version"));
  }
  if (!list.some((v) => v.served === true)) {
    causes.push(invalid("spec.versions", list, "must have at least one version marked as served"));
  }
  return causes;
}

function validateVersion(version: CustomResourceDefinitionVersion, path: string): StatusCause[] {
  const causes = validateDeprecationWarning(version, child(path, "deprecationWarning"));
  const schema: JSONSchemaProps | undefined = version.schema?.openAPIV3Schema;
  const schemaPath = child(path, "schema.openAPIV3Schema");
  if (!schema) causes.push(required(schemaPath, "schemas are required"));
  else causes.push(...validateVersionSchema(schema, schemaPath, version.subresources?.status !== undefined));
  causes.push(...validateSubresources(version.subresources, child(path, "subresources")));
  (version.additionalPrinterColumns ?? []).forEach((column, i) => {
    causes.push(...validateColumn(column, index(child(path, "additionalPrinterColumns"), i)));
  });
  return causes;
}

function validateDeprecationWarning(version: CustomResourceDefinitionVersion, path: string): StatusCause[] {
  const warning = version.deprecationWarning;
  if (warning === undefined) return [];
  if (!version.deprecated) return [invalid(path, warning, "can only be set for deprecated versions")];
  const problems: string[] = [];
  if (warning.length > 256) problems.push("must be <= 256 characters long");
  if (warning.length === 0) problems.push("must not be an empty string");
  const control = [...warning].findIndex((c) => /\p{Cc}/u.test(c));
  if (control >= 0)
    problems.push(
      `must only contain printable UTF-8 characters; control character found at index ${control}`,
    );
  return problems.map((p) => invalid(path, warning, p));
}

/** validateSimpleJSONPath: `.a.b`, as printer columns and scale paths use. */
function simpleJSONPathErrors(value: string, path: string): StatusCause[] {
  if (value.length === 0) return [invalid(path, value, "must not be empty")];
  if (!value.startsWith(".")) return [invalid(path, value, "must be a simple json path starting with .")];
  return [];
}

function validateSubresources(
  subresources: CustomResourceSubresources | undefined,
  path: string,
): StatusCause[] {
  const scale = subresources?.scale;
  if (!scale) return [];
  const causes: StatusCause[] = [];
  const check = (field: string, value: string | undefined, prefixes: string[], detail: string) => {
    const at = child(path, `scale.${field}`);
    if (value === undefined || value === "") {
      if (field !== "labelSelectorPath") causes.push(required(at));
      return;
    }
    const errors = simpleJSONPathErrors(value, at);
    if (errors.length) causes.push(...errors);
    else if (!prefixes.some((p) => value.startsWith(p))) causes.push(invalid(at, value, detail));
  };
  check("specReplicasPath", scale.specReplicasPath, [".spec."], "should be a json path under .spec");
  check("statusReplicasPath", scale.statusReplicasPath, [".status."], "should be a json path under .status");
  check(
    "labelSelectorPath",
    scale.labelSelectorPath,
    [".spec.", ".status."],
    "should be a json path under either .spec or .status",
  );
  return causes;
}

const COLUMN_TYPES = ["boolean", "date", "integer", "number", "string"];
const COLUMN_FORMATS = ["byte", "date", "date-time", "double", "float", "int32", "int64", "password"];

function validateColumn(column: CustomResourceColumnDefinition, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!column.name) causes.push(required(child(path, "name")));
  const types = `must be one of ${COLUMN_TYPES.join(",")}`;
  if (!column.type) causes.push(required(child(path, "type"), types));
  else if (!COLUMN_TYPES.includes(column.type)) causes.push(invalid(child(path, "type"), column.type, types));
  if (column.format && !COLUMN_FORMATS.includes(column.format)) {
    causes.push(invalid(child(path, "format"), column.format, `must be one of ${COLUMN_FORMATS.join(",")}`));
  }
  // kube-apiserver reports the internal field name, JSONPath.
  if (!column.jsonPath) causes.push(required(child(path, "JSONPath")));
  else causes.push(...simpleJSONPathErrors(column.jsonPath, child(path, "JSONPath")));
  return causes;
}

function validateNames(names: CustomResourceDefinitionNames, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const field of ["plural", "singular", "kind", "listKind"] as const) {
    if (!names[field]) causes.push(required(child(path, field)));
  }
  const label = (field: "plural" | "singular", value: string | undefined) => {
    const problems = value ? isDNS1035Label(value) : [];
    if (problems.length) causes.push(invalid(child(path, field), value, problems.join(",")));
  };
  label("plural", names.plural);
  label("singular", names.singular);
  for (const field of ["kind", "listKind"] as const) {
    const value = names[field];
    const problems = value ? isDNS1035Label(value.toLowerCase()) : [];
    if (problems.length) {
      causes.push(
        invalid(
          child(path, field),
          value,
          `may have mixed case, but should otherwise match: ${problems.join(",")}`,
        ),
      );
    }
  }
  (names.shortNames ?? []).forEach((shortName, i) => {
    const problems = isDNS1035Label(shortName);
    if (problems.length)
      causes.push(invalid(index(child(path, "shortNames"), i), shortName, problems.join(",")));
  });
  if (names.kind && names.kind === names.listKind) {
    causes.push(invalid(child(path, "listKind"), names.listKind, "kind and listKind may not be the same"));
  }
  (names.categories ?? []).forEach((category, i) => {
    const problems = isDNS1035Label(category);
    if (problems.length)
      causes.push(invalid(index(child(path, "categories"), i), category, problems.join(",")));
  });
  return causes;
}

function validateConversion(conversion: { strategy?: string; webhook?: unknown } | undefined): StatusCause[] {
  if (!conversion) return [];
  const causes =
    conversion.strategy === "Webhook"
      ? [notSupported("spec.conversion.strategy", "Webhook", ["None"])]
      : validateEnum("spec.conversion.strategy", conversion.strategy, ["None", "Webhook"]);
  if (conversion.strategy !== "Webhook" && conversion.webhook !== undefined) {
    causes.push(
      forbidden("spec.conversion.webhook", "should not be set when strategy is not set to Webhook"),
    );
  }
  return causes;
}

function validateImmutable(crd: CustomResourceDefinition, old: CustomResourceDefinition): StatusCause[] {
  const fields: [string, unknown, unknown][] = [
    ["spec.group", crd.spec?.group, old.spec?.group],
    ["spec.names.plural", crd.spec?.names?.plural, old.spec?.names?.plural],
    ["spec.scope", crd.spec?.scope, old.spec?.scope],
    ["spec.names.kind", crd.spec?.names?.kind, old.spec?.names?.kind],
  ];
  return fields
    .filter(([, now, before]) => now !== before)
    .map(([field, now]) => invalid(field, now, "field is immutable"));
}
