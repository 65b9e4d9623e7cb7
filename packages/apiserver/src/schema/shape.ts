/**
 * The structural model of an object type: which fields exist, their scalar
 * types, and how lists and maps merge. Strategic-merge patch, server-side
 * apply, field validation, pruning and OpenAPI publishing all read it.
 *
 * Built-in kinds get their shapes from a table in code; custom resources get
 * theirs from the CRD's OpenAPI v3 schema.
 */
export type ScalarType =
  | "string"
  | "integer"
  | "number"
  | "boolean"
  | "int-or-string"
  | "quantity"
  | "date-time";

export type Shape =
  | {
      type: "scalar";
      scalar: ScalarType;
      enum?: readonly string[];
      /** The value the server defaults when the field is absent (server-side apply matches list keys with it). */
      default?: unknown;
      description?: string;
    }
  /** A named type, resolved through a `ShapeResolver` (lets shapes be recursive and shared). */
  | { type: "ref"; name: string; description?: string }
  | {
      type: "struct";
      fields: Readonly<Record<string, Shape>>;
      required?: readonly string[];
      /** Unknown fields are kept and not reported (the table is incomplete, or preserve-unknown-fields). */
      open?: boolean;
      /** `x-kubernetes-map-type: atomic` — replaced whole by patches and apply. */
      atomic?: boolean;
      description?: string;
    }
  /** `map[string]T`: keys are data, merged key by key. */
  | { type: "map"; values: Shape; atomic?: boolean; description?: string }
  | {
      type: "list";
      items: Shape;
      /** `atomic`: replaced whole; `set`: scalar items merged as a set; `map`: items merged by `keys`. */
      listType: "atomic" | "set" | "map";
      /** For `listType: "map"`: the item fields that identify an item (SSA `x-kubernetes-list-map-keys`). */
      keys?: readonly string[];
      /** Strategic-merge patch: `patchStrategy` ("merge", "replace", "merge,retainKeys") and merge key, where they differ from the list type. */
      patchStrategy?: string;
      patchMergeKey?: string;
      description?: string;
    }
  /** Anything goes (e.g. `x-kubernetes-preserve-unknown-fields` with no properties, RawExtension). */
  | { type: "any"; description?: string };

export interface ShapeResolver {
  /** Resolves a `ref` shape's name; throws if unknown. */
  resolve(name: string): Shape;
}

/** Follows refs until a concrete shape. */
export function concrete(shape: Shape, resolver: ShapeResolver): Exclude<Shape, { type: "ref" }> {
  let current = shape;
  for (let depth = 0; current.type === "ref"; depth++) {
    if (depth > 32) throw new Error(`shape reference cycle at ${current.name}`);
    current = resolver.resolve(current.name);
  }
  return current;
}
