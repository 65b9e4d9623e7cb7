/**
 * What strategic merge patch needs to know about a place in an object, read
 * from its Shape, and the errors it reports the way kube-apiserver does.
 * Only `patchStrategy`/`patchMergeKey` matter here: like Kubernetes' own
 * implementation, strategic merge ignores `x-kubernetes-list-type` and
 * `x-kubernetes-map-type`, which belong to server-side apply.
 */
import { StatusError } from "../api/errors.ts";
import { concrete, type Shape, type ShapeResolver } from "../schema/shape.ts";
import { goFormat, isJsonObject } from "./json-value.ts";

export type Node = Exclude<Shape, { type: "ref" }>;

export const ANY: Node = { type: "any" };

/** How a list field merges: `merge` by `mergeKey` (maps) or as a set (scalars); otherwise the patch replaces it. */
export type ListMeta = { merge: boolean; mergeKey: string; items: Node; name: string };

export function resolveNode(shape: Shape | undefined, resolver: ShapeResolver): Node {
  return shape ? concrete(shape, resolver) : ANY;
}

/** The shape of `key` inside `node`; unknown fields and anything under `any` are `any`. */
export function childNode(node: Node, key: string, resolver: ShapeResolver): Node {
  if (node.type === "struct")
    return resolveNode(Object.hasOwn(node.fields, key) ? node.fields[key] : undefined, resolver);
  if (node.type === "map") return resolveNode(node.values, resolver);
  return ANY;
}

/** The merge behaviour of the list at `key` inside `node`. */
export function listMeta(node: Node, key: string, resolver: ShapeResolver): ListMeta {
  const list = childNode(node, key, resolver);
  if (list.type !== "list") return { merge: false, mergeKey: "", items: ANY, name: key };
  const strategies = (list.patchStrategy ?? "").split(",");
  const items = resolveNode(list.items, resolver);
  return { merge: strategies.includes("merge"), mergeKey: list.patchMergeKey ?? "", items, name: key };
}

/** Directive keys, which a typed Kubernetes object would drop after patching. */
export const PATCH_DIRECTIVE = "$patch";
export const RETAIN_KEYS_DIRECTIVE = "$retainKeys";
export const SET_ELEMENT_ORDER_PREFIX = "$setElementOrder/";
export const DELETE_FROM_PRIMITIVE_LIST_PREFIX = "$deleteFromPrimitiveList/";

export function isDirectiveKey(key: string): boolean {
  return (
    key === PATCH_DIRECTIVE ||
    key === RETAIN_KEYS_DIRECTIVE ||
    key.startsWith(SET_ELEMENT_ORDER_PREFIX) ||
    key.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX)
  );
}

/** Go's type name of a decoded JSON value, as in Kubernetes' `expected X, but got Y` errors. */
export function goType(value: unknown): string {
  if (Array.isArray(value)) return "[]interface {}";
  if (isJsonObject(value)) return "map[string]interface {}";
  if (value === null || value === undefined) return "<nil>";
  if (typeof value === "number") return Number.isInteger(value) ? "int64" : "float64";
  return typeof value === "boolean" ? "bool" : "string";
}

/** Errors kube-apiserver maps to 400 (the `mergepatch` format errors). */
export const badPatch = {
  primitiveList: () => new StatusError("BadRequest", "invalid patch format of primitive list"),
  retainKeys: () => new StatusError("BadRequest", "invalid patch format of retainKeys"),
  setElementOrder: () => new StatusError("BadRequest", "invalid patch format of setElementOrder list"),
};

/** "lists of lists are not supported": 422 with the detail as a cause, like kube-apiserver. */
export function noListOfLists(): StatusError {
  return new StatusError("Invalid", "the server rejected our request due to an error in our request", {
    details: {
      causes: [{ reason: "UnexpectedServerResponse", message: "lists of lists are not supported" }],
    },
  });
}

/**
 * Any other strategic merge failure: kube-apiserver passes the raw error
 * through, which becomes a 500 carrying the message.
 */
export function mergeFailure(message: string): StatusError {
  return new StatusError("InternalError", message);
}

export function noMergeKey(item: unknown, mergeKey: string): StatusError {
  return mergeFailure(`map: ${goFormat(item)} does not contain declared merge key: ${mergeKey}`);
}

export function badPatchType(directive: unknown, item: unknown): StatusError {
  return mergeFailure(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(item)}`);
}

export function badArgType(expected: unknown, actual: unknown): StatusError {
  return mergeFailure(`expected ${goType(expected)}, but got ${goType(actual)}`);
}
