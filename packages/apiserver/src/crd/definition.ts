import { cloneJson } from "@atoll/kube";
/**
 * The wire form of `apiextensions.k8s.io/v1` CustomResourceDefinition, as far
 * as this server reads it. Fields are optional because requests are untrusted
 * JSON: validation reports what is missing instead of the type system assuming it.
 */
export type JSONValue = null | boolean | number | string | JSONValue[] | { [key: string]: JSONValue };

/** One `x-kubernetes-validations` entry: a CEL rule evaluated at its schema node. */
export type ValidationRule = {
  rule?: string;
  message?: string;
  messageExpression?: string;
  /** FieldValueInvalid (default), FieldValueForbidden, FieldValueRequired or FieldValueDuplicate. */
  reason?: string;
  /** Where to report a failure, relative to the node: `.spec.replicas`, `.labels['app']`. */
  fieldPath?: string;
  /** Evaluate transition rules even when there is no old value (`oldSelf` is then an optional). */
  optionalOldSelf?: boolean;
};

/** An OpenAPI v3 schema as CRDs spell it (`JSONSchemaProps`). */
export type JSONSchemaProps = {
  type?: string;
  format?: string;
  title?: string;
  description?: string;
  default?: JSONValue;
  example?: JSONValue;
  enum?: JSONValue[];
  nullable?: boolean;
  maximum?: number;
  exclusiveMaximum?: boolean;
  minimum?: number;
  exclusiveMinimum?: boolean;
  multipleOf?: number;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  maxItems?: number;
  minItems?: number;
  uniqueItems?: boolean;
  maxProperties?: number;
  minProperties?: number;
  required?: string[];
  /** A list of schemas is forbidden in CRDs but may arrive; validation rejects it. */
  items?: JSONSchemaProps | JSONSchemaProps[];
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps | boolean;
  allOf?: JSONSchemaProps[];
  oneOf?: JSONSchemaProps[];
  anyOf?: JSONSchemaProps[];
  not?: JSONSchemaProps;
  externalDocs?: { description?: string; url?: string };
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-embedded-resource"?: boolean;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-list-type"?: string;
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-map-type"?: string;
  "x-kubernetes-validations"?: ValidationRule[];
  // Not supported in CRDs; listed so validation can name them.
  id?: string;
  $ref?: string;
  $schema?: string;
  additionalItems?: JSONSchemaProps | boolean;
  patternProperties?: Record<string, JSONSchemaProps>;
  definitions?: Record<string, JSONSchemaProps>;
  dependencies?: Record<string, JSONSchemaProps | string[]>;
};

export type CustomResourceColumnDefinition = {
  name?: string;
  type?: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath?: string;
};

export type CustomResourceSubresources = {
  status?: Record<string, never>;
  scale?: { specReplicasPath?: string; statusReplicasPath?: string; labelSelectorPath?: string };
};

export type CustomResourceDefinitionVersion = {
  name?: string;
  served?: boolean;
  storage?: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
  subresources?: CustomResourceSubresources;
  additionalPrinterColumns?: CustomResourceColumnDefinition[];
  selectableFields?: { jsonPath?: string }[];
};

export type CustomResourceDefinitionNames = {
  plural?: string;
  singular?: string;
  kind?: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
};

export type CustomResourceDefinition = {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; generateName?: string; [key: string]: unknown };
  spec?: {
    group?: string;
    names?: CustomResourceDefinitionNames;
    scope?: string;
    versions?: CustomResourceDefinitionVersion[];
    conversion?: { strategy?: string; webhook?: unknown };
    preserveUnknownFields?: boolean;
  };
  status?: unknown;
};

/** The schema of one version, or undefined when the version or its schema is absent. */
export function versionSchema(crd: CustomResourceDefinition, version: string): JSONSchemaProps | undefined {
  return crd.spec?.versions?.find((v) => v.name === version)?.schema?.openAPIV3Schema;
}

/**
 * The fields kube-apiserver defaults on a v1 CRD before validating it:
 * `names.singular` (lower-cased kind), `names.listKind` (`<Kind>List`) and
 * `conversion.strategy: None`. Returns a copy; the input is not changed.
 */
export function defaultDefinition(crd: CustomResourceDefinition): CustomResourceDefinition {
  const copy = cloneJson(crd);
  const spec = copy.spec;
  if (!spec) return copy;
  const names = spec.names;
  if (names?.kind) {
    names.singular ||= names.kind.toLowerCase();
    names.listKind ||= `${names.kind}List`;
  }
  spec.conversion ??= { strategy: "None" };
  spec.conversion.strategy ||= "None";
  return copy;
}
