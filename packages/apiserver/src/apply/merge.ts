/**
 * Merges an apply configuration into the live object: struct fields and map
 * entries key by key, associative lists item by item (by key), sets value by
 * value; leaves and atomic values are replaced by the configuration's.
 */
import type { Shape, ShapeResolver } from "../schema/shape.ts";
import { isEmptyContainer, isObject, type JsonObject } from "./json-value.ts";
import { elementShape, isNamedField, itemKey, type NodeKind, nodeKind } from "./node-kind.ts";
import { fieldKey } from "./path-element.ts";

type ListKind = Extract<NodeKind, { kind: "list" }>;

/**
 * The live object with `config` merged in. A declared field set to `null`
 * in the configuration is claimed but left unset, as when kube-apiserver
 * decodes the merged result into its typed object.
 */
export function mergeApplied(
  live: JsonObject,
  config: JsonObject,
  shape: Shape,
  resolver: ShapeResolver,
): JsonObject {
  const merged = merge(live, config, shape);
  return isObject(merged) ? merged : {};

  function merge(lhs: unknown, rhs: unknown, s: Shape): unknown {
    if (rhs === undefined) return lhs;
    const present = lhs === undefined ? [rhs] : [lhs, rhs];
    const kind = nodeKind(s, resolver, present);
    if (kind.kind === "leaf" || present.every(isEmptyContainer)) return rhs;
    if (kind.kind === "list") {
      if (!Array.isArray(rhs)) return lhs;
      return mergeList(Array.isArray(lhs) ? lhs : [], rhs, kind);
    }
    if (!isObject(rhs)) return lhs;
    const base = isObject(lhs) ? lhs : {};
    const out: JsonObject = {};
    for (const [name, value] of Object.entries(base)) {
      out[name] = Object.hasOwn(rhs, name)
        ? merge(value, rhs[name], elementShape(kind, fieldKey(name)))
        : value;
    }
    for (const [name, value] of Object.entries(rhs)) {
      if (!Object.hasOwn(base, name)) out[name] = merge(undefined, value, elementShape(kind, fieldKey(name)));
    }
    for (const name of Object.keys(out)) {
      if (out[name] === null && isNamedField(kind, name)) delete out[name];
    }
    return out;
  }

  /**
   * Keeps the configuration's order for its items and the live position of
   * items it does not mention, as structured-merge-diff orders merged lists.
   */
  function mergeList(lhs: readonly unknown[], rhs: readonly unknown[], kind: ListKind): unknown[] {
    const lhsKeys = lhs.map((item) => itemKey(kind, item, resolver));
    const rhsKeys = rhs.map((item) => itemKey(kind, item, resolver));
    const lhsByKey = new Map(lhsKeys.map((key, i) => [key, lhs[i]]));
    const rhsByKey = new Map(rhsKeys.map((key, i) => [key, rhs[i]]));
    const shared = rhsKeys.filter((key) => lhsByKey.has(key));
    const emitted = new Set<string>();
    const out: unknown[] = [];
    let nextShared = 0;
    const emit = (key: string) => {
      out.push(merge(lhsByKey.get(key), rhsByKey.get(key), kind.items));
      emitted.add(key);
      if (shared[nextShared] === key) nextShared++;
    };
    let l = 0;
    let r = 0;
    while (l < lhsKeys.length || r < rhsKeys.length) {
      if (l < lhsKeys.length && r < rhsKeys.length) {
        if (lhsKeys[l] === rhsKeys[r]) {
          emit(rhsKeys[r]);
          l++;
          r++;
          continue;
        }
        // A shared item the configuration places later: it is emitted in the configuration's order.
        if (rhsByKey.has(lhsKeys[l]) && nextShared < shared.length && shared[nextShared] !== lhsKeys[l]) {
          l++;
          continue;
        }
      }
      if (l < lhsKeys.length) {
        if (!rhsByKey.has(lhsKeys[l])) {
          out.push(lhs[l]);
          l++;
          continue;
        }
        if (emitted.has(lhsKeys[l])) {
          l++;
          continue;
        }
      }
      if (r < rhsKeys.length) {
        if (!emitted.has(rhsKeys[r])) emit(rhsKeys[r]);
        r++;
      }
    }
    return out;
  }
}
