/**
 * How server-side apply treats one node of an object: a leaf (scalars and
 * anything atomic), a struct of named fields, a map of data keys, or a list
 * merged by set value or by key. Untyped (`any`) objects are deduced as maps
 * whose keys are tracked one by one, and untyped arrays as atomic, as
 * structured-merge-diff does for `x-kubernetes-preserve-unknown-fields`.
 */
import { concrete, type Shape, type ShapeResolver } from "../schema/shape.ts";
import { isObject } from "./json-value.ts";
import { encodePathElement, keyElement } from "./path-element.ts";

/** The merge behaviour of one node, resolved from its shape (and, for untyped nodes, its value). */
export type NodeKind =
  | { readonly kind: "leaf" }
  | { readonly kind: "struct"; readonly fields: Readonly<Record<string, Shape>> }
  | { readonly kind: "map"; readonly values: Shape }
  | {
      readonly kind: "list";
      readonly items: Shape;
      readonly listType: "set" | "map";
      readonly keys: readonly string[];
    };

const ANY: Shape = { type: "any" };
const LEAF: NodeKind = { kind: "leaf" };

/**
 * Classifies a node from its shape and the values present at it (live and/or
 * new). A value whose JSON type does not fit the shape makes the node a leaf,
 * so mismatches are replaced whole rather than merged.
 */
export function nodeKind(shape: Shape, resolver: ShapeResolver, values: readonly unknown[]): NodeKind {
  const s = concrete(shape, resolver);
  const objects = values.every((v) => v === null || isObject(v));
  switch (s.type) {
    case "scalar":
      return LEAF;
    case "any":
      return values.every(isObject) ? { kind: "map", values: ANY } : LEAF;
    case "struct":
      return s.atomic || !objects ? LEAF : { kind: "struct", fields: s.fields };
    case "map":
      return s.atomic || !objects ? LEAF : { kind: "map", values: s.values };
    case "list":
      if (s.listType === "atomic" || !values.every((v) => v === null || Array.isArray(v))) return LEAF;
      return { kind: "list", items: s.items, listType: s.listType, keys: s.keys ?? [] };
  }
}

/** The shape of a struct field or map entry; fields a struct does not declare are untyped. */
export function entryShape(kind: NodeKind, name: string): Shape {
  if (kind.kind === "struct") return Object.hasOwn(kind.fields, name) ? kind.fields[name] : ANY;
  if (kind.kind === "map") return kind.values;
  return ANY;
}

/** True for a field the struct declares (as opposed to a map key or an unknown field). */
export function isNamedField(kind: NodeKind, name: string): boolean {
  return kind.kind === "struct" && Object.hasOwn(kind.fields, name);
}

/** The shape below a FieldsV1 key, for walking a field set without values. */
export function elementShape(kind: NodeKind, encoded: string): Shape {
  if (kind.kind === "list") return kind.items;
  return encoded.startsWith("f:") ? entryShape(kind, encoded.slice(2)) : ANY;
}

/**
 * The FieldsV1 key identifying a list item: `v:<value>` in a set,
 * `k:{...}` by the key fields in an associative list. A missing key field
 * takes its shape's `default` when the shape carries one.
 */
export function itemKey(
  kind: Extract<NodeKind, { kind: "list" }>,
  item: unknown,
  resolver: ShapeResolver,
): string {
  if (kind.listType === "map" && isObject(item) && kind.keys.length > 0) {
    const itemShape = concrete(kind.items, resolver);
    const fields: [string, unknown][] = [];
    for (const key of kind.keys) {
      const value =
        item[key] ?? (itemShape.type === "struct" ? defaultOf(itemShape.fields[key], resolver) : undefined);
      if (value !== undefined && value !== null) fields.push([key, value]);
    }
    if (fields.length > 0) return encodePathElement(keyElement(fields));
  }
  return encodePathElement({ kind: "value", value: item });
}

function defaultOf(shape: Shape | undefined, resolver: ShapeResolver): unknown {
  if (!shape) return undefined;
  const s = concrete(shape, resolver);
  return "default" in s ? s.default : undefined;
}
