import type { ResourceType } from "../resources/resource-type.ts";
import { concrete, type Shape, type ShapeResolver } from "../schema/shape.ts";
import { kindNames, LIST_META, OBJECT_META } from "./definition-names.ts";
import { fieldRef, type JsonObject, ref } from "./json.ts";
import {
  API_VERSION_FIELD,
  INT_OR_STRING,
  KIND_FIELD,
  metaDefinitionFor,
  QUANTITY,
  TIME,
} from "./meta-schemas.ts";

export type SchemaCollectorOptions = {
  resolver: ShapeResolver;
  /**
   * Built-in kinds: lists carry strategic-merge-patch extensions, and
   * int-or-string, quantity and date-time fields refer to the apimachinery
   * definitions. Custom resources get the inline forms CRDs publish.
   */
  builtin: boolean;
  /** The definition name for a shape ref; default: the name with `/` and `~` replaced by `.`. */
  refDefinitionName?: (refName: string) => string;
};

function defaultRefName(refName: string): string {
  return refName.replace(/[/~]/g, ".");
}

/**
 * Turns shapes into OpenAPI v3 schemas, collecting every named definition
 * they reach (through the resolver) into `schemas`. One collector per document.
 */
export class SchemaCollector {
  readonly schemas: Record<string, JsonObject> = {};
  readonly #options: SchemaCollectorOptions;
  readonly #pending = new Set<string>();

  constructor(options: SchemaCollectorOptions) {
    this.#options = options;
  }

  /** Adds the definitions of a resource's kind and list kind, with `x-kubernetes-group-version-kind`. */
  addKind(type: ResourceType): void {
    const names = kindNames(type);
    if (names.kind in this.schemas) return;
    let root: Shape;
    try {
      root = concrete(type.shape, this.#options.resolver);
    } catch {
      root = { type: "any" };
    }
    const properties: JsonObject = { apiVersion: API_VERSION_FIELD, kind: KIND_FIELD };
    const fields = root.type === "struct" ? root.fields : {};
    for (const [name, field] of Object.entries(fields)) {
      if (name !== "apiVersion" && name !== "kind" && name !== "metadata")
        properties[name] = this.toSchema(field);
    }
    properties.metadata = fieldRef(OBJECT_META, { default: {}, description: "Standard object's metadata." });
    const kind: JsonObject = { type: "object", properties };
    if (root.description) kind.description = root.description;
    const required = root.type === "struct" ? (root.required ?? []).filter((r) => r in properties) : [];
    if (required.length) kind.required = required;
    if (root.type === "any" || (root.type === "struct" && root.open))
      kind["x-kubernetes-preserve-unknown-fields"] = true;
    kind["x-kubernetes-group-version-kind"] = [{ group: type.group, kind: type.kind, version: type.version }];
    this.schemas[names.kind] = kind;
    this.schemas[names.list] = {
      type: "object",
      description: `${type.listKind} is a list of ${type.kind}`,
      properties: {
        apiVersion: API_VERSION_FIELD,
        items: { type: "array", description: `List of ${type.plural}.`, items: ref(names.kind) },
        kind: KIND_FIELD,
        metadata: fieldRef(LIST_META, { default: {}, description: "Standard list metadata." }),
      },
      required: ["items"],
      "x-kubernetes-group-version-kind": [{ group: type.group, kind: type.listKind, version: type.version }],
    };
  }

  toSchema(shape: Shape): JsonObject {
    const described = (schema: JsonObject): JsonObject =>
      shape.description ? { ...schema, description: shape.description } : schema;
    switch (shape.type) {
      case "ref":
        return fieldRef(
          this.#define(shape.name),
          shape.description ? { description: shape.description } : {},
        );
      case "scalar":
        return this.#scalar(shape);
      case "struct": {
        const properties: JsonObject = {};
        for (const [name, field] of Object.entries(shape.fields)) properties[name] = this.toSchema(field);
        const schema: JsonObject = { type: "object", properties };
        if (shape.required?.length) schema.required = [...shape.required];
        if (shape.open) schema["x-kubernetes-preserve-unknown-fields"] = true;
        if (shape.atomic) schema["x-kubernetes-map-type"] = "atomic";
        return described(schema);
      }
      case "map": {
        const schema: JsonObject = { type: "object", additionalProperties: this.toSchema(shape.values) };
        if (shape.atomic) schema["x-kubernetes-map-type"] = "atomic";
        return described(schema);
      }
      case "list":
        return described(this.#list(shape));
      case "any":
        return described({ "x-kubernetes-preserve-unknown-fields": true });
    }
  }

  #scalar(shape: Extract<Shape, { type: "scalar" }>): JsonObject {
    const builtin = this.#options.builtin;
    const extra: JsonObject = shape.description ? { description: shape.description } : {};
    let schema: JsonObject;
    switch (shape.scalar) {
      case "int-or-string":
        if (builtin) return fieldRef(INT_OR_STRING, extra);
        schema = { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] };
        break;
      case "quantity":
        if (builtin) return fieldRef(QUANTITY, extra);
        schema = { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] };
        break;
      case "date-time":
        if (builtin) return fieldRef(TIME, extra);
        schema = { type: "string", format: "date-time" };
        break;
      case "number":
        schema = { type: "number", format: "double" };
        break;
      default:
        schema = { type: shape.scalar };
    }
    if (shape.enum?.length) schema.enum = [...shape.enum];
    return { ...schema, ...extra };
  }

  #list(shape: Extract<Shape, { type: "list" }>): JsonObject {
    const schema: JsonObject = { type: "array", items: this.toSchema(shape.items) };
    schema["x-kubernetes-list-type"] = shape.listType;
    if (shape.listType === "map" && shape.keys?.length)
      schema["x-kubernetes-list-map-keys"] = [...shape.keys];
    if (this.#options.builtin) {
      // A list's strategic-merge behaviour follows its list type unless the shape says otherwise.
      const derivedKey = shape.listType === "map" ? shape.keys?.[0] : undefined;
      const strategy = shape.patchStrategy ?? (shape.listType === "set" || derivedKey ? "merge" : undefined);
      const mergeKey = shape.patchMergeKey ?? derivedKey;
      if (strategy) schema["x-kubernetes-patch-strategy"] = strategy;
      if (mergeKey && strategy?.includes("merge")) schema["x-kubernetes-patch-merge-key"] = mergeKey;
    }
    return schema;
  }

  /** Registers the named shape's definition (once, cycle-safe) and returns its definition name. */
  #define(refName: string): string {
    const meta = metaDefinitionFor(refName);
    if (meta) return meta;
    const name = (this.#options.refDefinitionName ?? defaultRefName)(refName);
    if (name in this.schemas || this.#pending.has(name)) return name;
    this.#pending.add(name);
    let shape: Shape;
    try {
      shape = this.#options.resolver.resolve(refName);
    } catch {
      shape = { type: "any", description: `Unresolved type ${refName}.` };
    }
    this.schemas[name] = this.toSchema(shape);
    this.#pending.delete(name);
    return name;
  }
}
