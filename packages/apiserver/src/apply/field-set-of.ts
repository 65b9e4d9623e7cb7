/**
 * The set of field paths an object sets, under its shape: what an apply
 * configuration claims. Leaves (scalars, atomic values) are members; list
 * items and map entries are members as well as their contents; a declared
 * struct field is a member only when it is a leaf, `null` or `{}`.
 */
import type { Shape, ShapeResolver } from "../schema/shape.ts";
import { type FieldSet, isEmptyFieldSet } from "./field-set.ts";
import { isObject } from "./json-value.ts";
import { elementShape, isNamedField, itemKey, nodeKind } from "./node-kind.ts";
import { fieldKey } from "./path-element.ts";

/** The field paths `value` sets. The root itself is never a member. */
export function fieldSetOf(value: unknown, shape: Shape, resolver: ShapeResolver): FieldSet {
  return { member: false, children: childrenOf(value, shape, resolver) };
}

function childrenOf(value: unknown, shape: Shape, resolver: ShapeResolver): Map<string, FieldSet> {
  const children = new Map<string, FieldSet>();
  const kind = nodeKind(shape, resolver, [value]);
  if (kind.kind === "list" && Array.isArray(value)) {
    for (const item of value) {
      const key = itemKey(kind, item, resolver);
      children.set(key, { member: true, children: childrenOf(item, kind.items, resolver) });
    }
  } else if ((kind.kind === "struct" || kind.kind === "map") && isObject(value)) {
    for (const [name, child] of Object.entries(value)) {
      const key = fieldKey(name);
      const childShape = elementShape(kind, key);
      const below = childrenOf(child, childShape, resolver);
      const member =
        !isNamedField(kind, name) ||
        nodeKind(childShape, resolver, [child]).kind === "leaf" ||
        child === null ||
        (isObject(child) && Object.keys(child).length === 0);
      children.set(key, { member, children: below });
    }
  }
  return children;
}

/**
 * Marks every declared struct field on the way to a member as a member itself
 * (structured-merge-diff's EnsureNamedFieldsAreMembers), so pruning can
 * remove a struct field whose contents nobody owns any more.
 */
export function ensureNamedFieldsAreMembers(set: FieldSet, shape: Shape, resolver: ShapeResolver): FieldSet {
  if (isEmptyFieldSet(set)) return set;
  const kind = nodeKind(shape, resolver, []);
  const children = new Map<string, FieldSet>();
  for (const [key, child] of set.children) {
    const below = ensureNamedFieldsAreMembers(child, elementShape(kind, key), resolver);
    const named = key.startsWith("f:") && isNamedField(kind, key.slice(2));
    children.set(key, {
      member: child.member || (named && below.children.size > 0),
      children: below.children,
    });
  }
  return { member: set.member, children };
}
