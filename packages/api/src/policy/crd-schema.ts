import type { KubeObject, ResourceId } from "@atoll/kube";
import type { JsonValue } from "./override-policy.ts";

/** A CEL rule (`x-kubernetes-validations`) checked by the API server at one schema node. */
export type SchemaRule = { rule: string; message: string; fieldPath?: string };

/** The structural OpenAPI v3 subset Atoll's CRDs use. */
export type Schema = {
  type?: "object" | "array" | "string" | "integer" | "number" | "boolean";
  description?: string;
  format?: string;
  enum?: string[];
  default?: JsonValue;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: Schema;
  items?: Schema;
  anyOf?: Schema[];
  "x-kubernetes-preserve-unknown-fields"?: true;
  "x-kubernetes-int-or-string"?: true;
  "x-kubernetes-list-type"?: "atomic" | "set" | "map";
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-validations"?: SchemaRule[];
};

/** Extra keywords for a schema node (bounds, defaults, CEL rules). */
export type SchemaExtras = Omit<Schema, "type" | "description" | "properties" | "items">;

export function string(description: string, extras: SchemaExtras = {}): Schema {
  return { type: "string", description, ...extras };
}

/** A string limited to `values`. */
export function oneOf(values: readonly string[], description: string, extras: SchemaExtras = {}): Schema {
  return { type: "string", enum: [...values], description, ...extras };
}

export function int32(description: string, extras: SchemaExtras = {}): Schema {
  return { type: "integer", format: "int32", description, ...extras };
}

export function int64(description: string, extras: SchemaExtras = {}): Schema {
  return { type: "integer", format: "int64", description, ...extras };
}

export function boolean(description: string, extras: SchemaExtras = {}): Schema {
  return { type: "boolean", description, ...extras };
}

/** An RFC 3339 time. */
export function timestamp(description: string): Schema {
  return { type: "string", format: "date-time", description };
}

export function object(
  description: string,
  properties: Record<string, Schema>,
  extras: SchemaExtras = {},
): Schema {
  return { type: "object", description, properties, ...extras };
}

/** An object without a description of its own, such as a list entry (its list describes it). */
export function entry(properties: Record<string, Schema>, extras: SchemaExtras = {}): Schema {
  return { type: "object", properties, ...extras };
}

/** A list; `mapKeys` makes it a map-list (entries merge by those keys under server-side apply). */
export function list(
  description: string,
  items: Schema,
  extras: SchemaExtras & { mapKeys?: string[] } = {},
): Schema {
  const { mapKeys, ...rest } = extras;
  return mapKeys
    ? {
        type: "array",
        description,
        items,
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": mapKeys,
        ...rest,
      }
    : { type: "array", description, items, ...rest };
}

/** A list of distinct strings. */
export function stringSet(description: string): Schema {
  return { type: "array", description, items: { type: "string" }, "x-kubernetes-list-type": "set" };
}

export function stringMap(description: string): Schema {
  return { type: "object", description, additionalProperties: { type: "string" } };
}

/** A JSON object kept as sent: a Kubernetes object or its status. */
export function rawObject(description: string): Schema {
  return { type: "object", description, "x-kubernetes-preserve-unknown-fields": true };
}

/** Any JSON value, kept as sent: a node with x-kubernetes-preserve-unknown-fields and no type, as Kubernetes allows. */
export function anyValue(description: string): Schema {
  return { description, "x-kubernetes-preserve-unknown-fields": true };
}

const QUANTITY =
  "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$";

/** A core/v1 ResourceList: resource name to quantity ("500m", "1Gi", 2). */
export function resourceList(description: string): Schema {
  return {
    type: "object",
    description,
    additionalProperties: {
      anyOf: [{ type: "integer" }, { type: "string" }],
      pattern: QUANTITY,
      "x-kubernetes-int-or-string": true,
    },
  };
}

/** metav1.Condition list, one entry per type. */
export function conditions(description: string): Schema {
  return list(
    description,
    entry(
      {
        type: string("The condition type, e.g. Ready."),
        status: oneOf(["True", "False", "Unknown"], "Whether the condition holds."),
        reason: string("A CamelCase machine-readable reason for the last transition."),
        message: string("A human-readable explanation of the last transition."),
        lastTransitionTime: timestamp("When status last changed."),
        observedGeneration: int64("The metadata.generation the condition was set for."),
      },
      { required: ["type", "status"] },
    ),
    { mapKeys: ["type"] },
  );
}

/** An additional printer column of `kubectl get`. */
export type PrinterColumn = {
  name: string;
  type: "string" | "integer" | "boolean" | "date";
  jsonPath: string;
  description?: string;
  /** 1: shown only with `-o wide`. */
  priority?: number;
};

/** A condition's status as a printer column. */
export function conditionColumn(type: string): PrinterColumn {
  return { name: type, type: "string", jsonPath: `.status.conditions[?(@.type=="${type}")].status` };
}

export type CustomResourceOptions = {
  shortNames: string[];
  /** What the kind is, for `kubectl explain`. */
  description: string;
  spec: Schema;
  /** Present: the kind gets a status subresource with this schema. */
  status?: Schema;
  /** Columns besides Age, which every Atoll kind has: after those shown by default, before the `-o wide` ones. */
  columns?: PrinterColumn[];
};

/**
 * The CustomResourceDefinition of one Atoll kind: served and stored in its
 * single version, in category "atoll", with `spec` required.
 */
export function customResourceDefinition(id: ResourceId, options: CustomResourceOptions): KubeObject {
  const columns = options.columns ?? [];
  const properties: Record<string, Schema> = { spec: options.spec };
  if (options.status) properties.status = options.status;
  const version: Record<string, unknown> = {
    name: id.version,
    served: true,
    storage: true,
    additionalPrinterColumns: [
      ...columns.filter((c) => !c.priority),
      { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
      ...columns.filter((c) => c.priority),
    ],
    schema: {
      openAPIV3Schema: { type: "object", description: options.description, required: ["spec"], properties },
    },
  };
  if (options.status) version.subresources = { status: {} };
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${id.resource}.${id.group}` },
    spec: {
      group: id.group,
      scope: id.namespaced ? "Namespaced" : "Cluster",
      names: {
        plural: id.resource,
        singular: id.kind.toLowerCase(),
        kind: id.kind,
        listKind: `${id.kind}List`,
        shortNames: options.shortNames,
        categories: ["atoll"],
      },
      versions: [version],
    },
  };
}
