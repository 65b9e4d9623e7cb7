/**
 * Kubernetes strategic merge patch, driven by Shapes instead of Go struct
 * tags. Follows `k8s.io/apimachinery/pkg/util/strategicpatch` as
 * kube-apiserver runs it (parallel deletion lists merged, unmatched nulls
 * ignored):
 *
 * - maps merge key by key; `null` deletes a key; `{"$patch": "replace"}`
 *   replaces a map, `{"$patch": "delete"}` empties it;
 * - `$retainKeys: [...]` drops every live key not listed;
 * - lists whose `patchStrategy` includes `merge` merge by `patchMergeKey`
 *   (items `{"$patch": "delete", key}` delete, `{"$patch": "replace"}`
 *   replaces the list), scalar lists merge as sets, and
 *   `$deleteFromPrimitiveList/<field>` removes scalars; other lists are replaced;
 * - `$setElementOrder/<field>` fixes the order of the merged list;
 * - fields the shape does not know (or `any`) merge like JSON merge patch.
 *
 * One deliberate difference: where Kubernetes copies a patch value verbatim
 * into a place that was empty and lets its typed decoding drop leftover
 * directive keys and nulls, this applies the directives and drops the nulls
 * itself, since objects here stay untyped.
 */
import { StatusError } from "../api/errors.ts";
import type { Shape, ShapeResolver } from "../schema/shape.ts";
import { isJsonObject, type JsonObject, type JsonValue, jsonClone } from "./json-value.ts";
import { applySetElementOrder, type MergeContext, mergeList } from "./strategic-merge-list.ts";
import {
  ANY,
  badPatch,
  badPatchType,
  childNode,
  DELETE_FROM_PRIMITIVE_LIST_PREFIX,
  listMeta,
  type Node,
  PATCH_DIRECTIVE,
  RETAIN_KEYS_DIRECTIVE,
  resolveNode,
  SET_ELEMENT_ORDER_PREFIX,
} from "./strategic-merge-meta.ts";

/**
 * Applies a strategic merge `patch` (the parsed request body) to a copy of
 * `original`, reading merge strategies from `shape` (usually a root shape such
 * as `{ type: "ref", name: "io.k8s.api.apps.v1.Deployment" }`). Inputs are not
 * modified. Throws `StatusError` BadRequest for a body that is not an object
 * or a malformed directive, Invalid for lists of lists, and InternalError for
 * the remaining failures kube-apiserver reports as 500 (e.g. a list item
 * without its merge key).
 */
export function strategicMergePatch(
  original: unknown,
  patch: unknown,
  shape: Shape,
  resolver: ShapeResolver,
): JsonObject {
  if (!isJsonObject(patch)) {
    const kind = patch === null ? "null" : Array.isArray(patch) ? "array" : typeof patch;
    throw new StatusError(
      "BadRequest",
      `json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`,
    );
  }
  const merger = new StrategicMerger(resolver);
  const live = isJsonObject(original) ? jsonClone(original) : undefined;
  return merger.mergeMap(live, jsonClone(patch), resolveNode(shape, resolver));
}

class StrategicMerger implements MergeContext {
  readonly #resolver: ShapeResolver;

  constructor(resolver: ShapeResolver) {
    this.#resolver = resolver;
  }

  /** Merges `patch` into `original` (both owned by the caller and mutated). */
  mergeMap(original: JsonObject | undefined, patch: JsonObject, node: Node): JsonObject {
    if (Object.hasOwn(patch, PATCH_DIRECTIVE)) {
      const directive = patch[PATCH_DIRECTIVE];
      if (directive === "delete") return {};
      if (directive !== "replace") throw badPatchType(directive, patch);
      const { [PATCH_DIRECTIVE]: _, ...replacement } = patch;
      return this.mergeMap(undefined, replacement, node);
    }
    const target = original ?? {};
    const remaining: JsonObject = { ...patch };
    applyRetainKeys(target, remaining);
    for (const key of Object.keys(remaining)) {
      if (!key.startsWith(SET_ELEMENT_ORDER_PREFIX)) continue;
      const field = key.slice(SET_ELEMENT_ORDER_PREFIX.length);
      const order = remaining[key];
      delete remaining[key];
      const meta = listMeta(node, field, this.#resolver);
      applySetElementOrder(target, remaining, { field, order, meta, context: this });
    }
    for (const [patchKey, value] of Object.entries(remaining)) {
      const deleteList = patchKey.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX);
      const key = deleteList ? patchKey.slice(DELETE_FROM_PRIMITIVE_LIST_PREFIX.length) : patchKey;
      if (value === null) {
        delete target[key];
        continue;
      }
      const child = childNode(node, key, this.#resolver);
      if (!Object.hasOwn(target, key)) {
        if (!deleteList) target[key] = this.fresh(value, child);
        continue;
      }
      const current = target[key];
      if (kindOf(current) !== kindOf(value)) {
        if (!deleteList) target[key] = this.fresh(value, child);
      } else if (isJsonObject(current) && isJsonObject(value)) {
        target[key] = this.mergeMap(current, value, child);
      } else if (Array.isArray(current) && Array.isArray(value)) {
        const meta = listMeta(node, key, this.#resolver);
        target[key] = mergeList(current, value, meta, { deleteList, context: this });
      } else {
        target[key] = value;
      }
    }
    return target;
  }

  fresh(value: JsonValue, node: Node): JsonValue {
    if (isJsonObject(value)) return this.mergeMap(undefined, value, node);
    if (!Array.isArray(value)) return value;
    const items = node.type === "list" ? resolveNode(node.items, this.#resolver) : ANY;
    return value
      .filter((item) => !(isJsonObject(item) && Object.hasOwn(item, PATCH_DIRECTIVE)))
      .map((item) => this.fresh(item, items));
  }
}

function kindOf(value: JsonValue): "map" | "list" | "scalar" {
  return Array.isArray(value) ? "list" : isJsonObject(value) ? "map" : "scalar";
}

/** `$retainKeys`: every key of the patch must be listed; live keys not listed are dropped. */
function applyRetainKeys(target: JsonObject, patch: JsonObject): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS_DIRECTIVE)) return;
  const retain = patch[RETAIN_KEYS_DIRECTIVE];
  delete patch[RETAIN_KEYS_DIRECTIVE];
  if (!Array.isArray(retain)) throw badPatch.retainKeys();
  const keep = new Set(retain);
  for (const [key, value] of Object.entries(patch)) {
    if (
      value === null ||
      key.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX) ||
      key.startsWith(SET_ELEMENT_ORDER_PREFIX)
    ) {
      continue;
    }
    if (!keep.has(key)) throw badPatch.retainKeys();
  }
  for (const key of Object.keys(target)) if (!keep.has(key)) delete target[key];
}
