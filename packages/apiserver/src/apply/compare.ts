/**
 * The field-level difference between two versions of an object: which paths
 * were added, modified or removed. Ownership moves along these sets.
 */
import type { Shape, ShapeResolver } from "../schema/shape.ts";
import { type FieldSet, recursiveDifference } from "./field-set.ts";
import { isEmptyContainer, isObject, jsonEqual } from "./json-value.ts";
import { elementShape, itemKey, type NodeKind, nodeKind } from "./node-kind.ts";
import { fieldKey } from "./path-element.ts";

/**
 * Leaves (scalars, atomic values, empty containers) are added, modified or
 * removed as a whole; a struct field, map entry or list item that appears or
 * disappears is itself added or removed, along with everything inside it.
 */
export type Comparison = { added: FieldSet; modified: FieldSet; removed: FieldSet };

type Builder = { member: boolean; children: Map<string, Builder> };

const builder = (): Builder => ({ member: false, children: new Map() });

function insert(root: Builder, path: readonly string[]): void {
  if (path.length === 0) return;
  let node = root;
  for (const key of path) {
    let child = node.children.get(key);
    if (!child) {
      child = builder();
      node.children.set(key, child);
    }
    node = child;
  }
  node.member = true;
}

/** Compares `before` with `after` (either may be `undefined`: absent). */
export function compareObjects(
  before: unknown,
  after: unknown,
  shape: Shape,
  resolver: ShapeResolver,
): Comparison {
  const out = { added: builder(), modified: builder(), removed: builder() };
  walk(before, after, shape, []);
  return out;

  function walk(lhs: unknown, rhs: unknown, s: Shape, path: readonly string[]): void {
    const present = [lhs, rhs].filter((v) => v !== undefined);
    const kind = nodeKind(s, resolver, present);
    if (kind.kind === "leaf" || present.every(isEmptyContainer)) {
      if (lhs === undefined) insert(out.added, path);
      else if (rhs === undefined) insert(out.removed, path);
      else if (!jsonEqual(lhs, rhs)) insert(out.modified, path);
      return;
    }
    for (const [key, [l, r]] of pairs(kind, lhs, rhs)) walk(l, r, elementShape(kind, key), [...path, key]);
    if (lhs === undefined) insert(out.added, path);
    else if (rhs === undefined) insert(out.removed, path);
  }

  function pairs(kind: NodeKind, lhs: unknown, rhs: unknown): Map<string, [unknown, unknown]> {
    const result = new Map<string, [unknown, unknown]>();
    const add = (value: unknown, side: 0 | 1) => {
      if (kind.kind === "list" && Array.isArray(value)) {
        for (const item of value) pairFor(itemKey(kind, item, resolver))[side] = item;
      } else if (isObject(value)) {
        for (const [name, child] of Object.entries(value)) pairFor(fieldKey(name))[side] = child;
      }
    };
    const pairFor = (key: string): [unknown, unknown] => {
      let pair = result.get(key);
      if (!pair) {
        pair = [undefined, undefined];
        result.set(key, pair);
      }
      return pair;
    };
    add(lhs, 0);
    add(rhs, 1);
    return result;
  }
}

/** Drops paths under `ignored` (e.g. a strategy's reset fields) from every part of a comparison. */
export function excludeFields(comparison: Comparison, ignored: FieldSet | undefined): Comparison {
  if (!ignored) return comparison;
  return {
    added: recursiveDifference(comparison.added, ignored),
    modified: recursiveDifference(comparison.modified, ignored),
    removed: recursiveDifference(comparison.removed, ignored),
  };
}
