/**
 * Removes the fields of a path set from an object: a member path takes its
 * whole subtree with it; a struct, map or list emptied by the removal is
 * dropped too. Leaves and atomic values cannot be entered, only removed whole.
 */
import type { Shape, ShapeResolver } from "../schema/shape.ts";
import type { FieldSet } from "./field-set.ts";
import { isObject, type JsonObject } from "./json-value.ts";
import { elementShape, itemKey, nodeKind } from "./node-kind.ts";
import { fieldKey } from "./path-element.ts";

/** A copy of `object` without the paths in `set`. */
export function removeFields(
  object: JsonObject,
  set: FieldSet,
  shape: Shape,
  resolver: ShapeResolver,
): JsonObject {
  const result = remove(object, set, shape);
  return isObject(result) ? result : {};

  /** `undefined` when removal emptied the value. */
  function remove(value: unknown, paths: FieldSet, s: Shape): unknown {
    if (paths.children.size === 0) return value;
    const kind = nodeKind(s, resolver, [value]);
    let removed = false;
    if (kind.kind === "list" && Array.isArray(value)) {
      const items: unknown[] = [];
      for (const item of value) {
        const kept = removeChild(paths, itemKey(kind, item, resolver), item, kind.items);
        if (kept === undefined) removed = true;
        else items.push(kept);
      }
      return removed && items.length === 0 ? undefined : items;
    }
    if ((kind.kind === "struct" || kind.kind === "map") && isObject(value)) {
      const out: JsonObject = {};
      for (const [name, child] of Object.entries(value)) {
        const key = fieldKey(name);
        const kept = removeChild(paths, key, child, elementShape(kind, key));
        if (kept === undefined) removed = true;
        else out[name] = kept;
      }
      return removed && Object.keys(out).length === 0 ? undefined : out;
    }
    return value;
  }

  function removeChild(paths: FieldSet, key: string, child: unknown, s: Shape): unknown {
    const below = paths.children.get(key);
    if (!below) return child;
    if (below.member) return undefined;
    return remove(child, below, s);
  }
}
