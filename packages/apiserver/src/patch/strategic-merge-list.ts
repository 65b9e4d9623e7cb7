/**
 * Strategic merge of lists: maps merged by their merge key with `$patch`
 * items, scalars merged as sets or deleted through
 * `$deleteFromPrimitiveList`, and the element order rules (patch order, then
 * live order, with `$setElementOrder` taking precedence), following
 * Kubernetes' `strategicpatch` package.
 */
import { isJsonObject, type JsonObject, type JsonValue, jsonEqual } from "./json-value.ts";
import {
  badArgType,
  badPatch,
  badPatchType,
  type ListMeta,
  mergeFailure,
  type Node,
  noListOfLists,
  noMergeKey,
  PATCH_DIRECTIVE,
} from "./strategic-merge-meta.ts";

/** What list merging needs from the map merge (kept apart to avoid an import cycle). */
export type MergeContext = {
  mergeMap(original: JsonObject | undefined, patch: JsonObject, node: Node): JsonObject;
  /** A patch value placed where nothing was before, with directives applied and nulls dropped. */
  fresh(value: JsonValue, node: Node): JsonValue;
};

type Kind = "map" | "scalar";

/** Merges a patch list into a live list for a field whose strategy is `merge`; other lists are replaced. */
export function mergeList(
  original: JsonValue[],
  patch: JsonValue[],
  meta: ListMeta,
  options: { deleteList: boolean; context: MergeContext },
): JsonValue[] {
  if (!meta.merge) return freshList(patch, meta, options.context);
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch);
  if (kind !== "map") {
    if (options.deleteList) return original.filter((item) => !patch.some((p) => jsonEqual(p, item)));
    const merged = dedupe([...original, ...patch]);
    const [patchItems, serverOnly] = partition(merged, patch, "", kind);
    return normalizeOrder({
      patchItems,
      serverOnly,
      patchOrder: patch,
      serverOrder: original,
      mergeKey: "",
      kind,
    });
  }
  if (!meta.mergeKey) throw mergeFailure(`cannot merge lists without merge key for ${meta.name}`);
  const { base, items, replace } = applySpecialItems(original, patch, meta.mergeKey);
  if (replace) {
    for (const item of items)
      if (!Object.hasOwn(item as JsonObject, meta.mergeKey)) throw noMergeKey(item, meta.mergeKey);
    return freshList(items, meta, options.context);
  }
  const merged = [...base];
  for (const item of items as JsonObject[]) {
    if (!Object.hasOwn(item, meta.mergeKey)) throw noMergeKey(item, meta.mergeKey);
    const at = findByKey(merged, meta.mergeKey, item[meta.mergeKey]);
    if (at >= 0) merged[at] = options.context.mergeMap(merged[at] as JsonObject, item, meta.items);
    else merged.push(options.context.fresh(item, meta.items));
  }
  const [patchItems, serverOnly] = partition(merged, items, meta.mergeKey, kind);
  return normalizeOrder({
    patchItems,
    serverOnly,
    patchOrder: items,
    serverOrder: base,
    mergeKey: meta.mergeKey,
    kind,
  });
}

function freshList(patch: JsonValue[], meta: ListMeta, context: MergeContext): JsonValue[] {
  return patch.map((item) => context.fresh(item, meta.items));
}

/** Applies `$patch: delete|replace` items; returns the live list to merge into and the remaining patch items. */
function applySpecialItems(
  original: JsonValue[],
  patch: JsonValue[],
  mergeKey: string,
): { base: JsonValue[]; items: JsonValue[]; replace: boolean } {
  let base = original;
  const items: JsonValue[] = [];
  let replace = false;
  for (const item of patch as JsonObject[]) {
    if (!Object.hasOwn(item, PATCH_DIRECTIVE)) {
      items.push(item);
      continue;
    }
    const directive = item[PATCH_DIRECTIVE];
    if (directive === "delete") {
      if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
      base = base.filter((entry) => !(isJsonObject(entry) && entry[mergeKey] === item[mergeKey]));
    } else if (directive === "replace") {
      replace = true;
    } else if (directive === "merge") {
      throw mergeFailure("merging lists cannot yet be specified in the patch");
    } else {
      throw badPatchType(directive, item);
    }
  }
  return { base, items, replace };
}

/**
 * `$setElementOrder/<field>`: merges `<field>` from the patch (if any) and puts
 * the result in the directive's order. Removes both keys from `patch`.
 */
export function applySetElementOrder(
  original: JsonObject,
  patch: JsonObject,
  options: { field: string; order: JsonValue; meta: ListMeta; context: MergeContext },
): void {
  const { field, meta, context } = options;
  if (!Array.isArray(options.order)) throw badArgType([], options.order);
  const order = options.order;
  const live = Object.hasOwn(original, field) ? original[field] : undefined;
  const fromPatch = Object.hasOwn(patch, field) ? patch[field] : undefined;
  delete patch[field];
  if (live !== undefined && !Array.isArray(live)) throw badArgType([], live);
  if (fromPatch !== undefined && fromPatch !== null && !Array.isArray(fromPatch))
    throw badArgType([], fromPatch);
  const patchList = fromPatch ?? undefined;
  if (patchList) validateOrder(patchList, order, meta.mergeKey);
  let merged: JsonValue[];
  if (live && patchList) merged = mergeList(live, patchList, meta, { deleteList: false, context });
  else if (patchList) merged = mergeList([], patchList, meta, { deleteList: false, context });
  else if (live) merged = live;
  else return;
  if (merged.length === 0 && order.length === 0) {
    original[field] = merged;
    return;
  }
  const kind = elementKind(live ?? [], patchList ?? merged);
  const [patchItems, serverOnly] = partition(merged, order, meta.mergeKey, kind);
  original[field] = normalizeOrder({
    patchItems,
    serverOnly,
    patchOrder: order,
    serverOrder: live ?? [],
    mergeKey: meta.mergeKey,
    kind,
  });
}

/** The items of the patch list (deletions aside) must appear in the `$setElementOrder` list, in its order. */
function validateOrder(patchList: JsonValue[], order: JsonValue[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = mergeKey
    ? patchList.filter((item) => !(isJsonObject(item) && item[PATCH_DIRECTIVE] === "delete"))
    : patchList;
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    const item = items[p];
    if (isJsonObject(item) && Object.hasOwn(item, PATCH_DIRECTIVE)) {
      p++;
      continue;
    }
    if (sameEntry(item, order[o], mergeKey)) p++;
    o++;
  }
  if (p < items.length) throw badPatch.setElementOrder();
}

function sameEntry(a: JsonValue, b: JsonValue, mergeKey: string): boolean {
  if (!mergeKey) return jsonEqual(a, b);
  if (!isJsonObject(a) || !isJsonObject(b)) throw badPatch.setElementOrder();
  return a[mergeKey] === b[mergeKey];
}

/** All elements must be of one kind; lists of lists are refused (422). */
function elementKind(...lists: JsonValue[][]): Kind {
  let kind: string | undefined;
  for (const list of lists) {
    for (const item of list) {
      if (item === null) continue;
      if (Array.isArray(item)) throw noListOfLists();
      const current = isJsonObject(item)
        ? "map"
        : typeof item === "number" && !Number.isInteger(item)
          ? "float"
          : typeof item;
      if (kind !== undefined && kind !== current) {
        throw mergeFailure(
          `list element types are not identical: ${lists.map((l) => JSON.stringify(l)).join(" ")}`,
        );
      }
      kind = current;
    }
  }
  return kind === "map" ? "map" : "scalar";
}

function dedupe(items: JsonValue[]): JsonValue[] {
  return items.filter((item, i) => items.findIndex((other) => jsonEqual(other, item)) === i);
}

function findByKey(list: JsonValue[], mergeKey: string, value: JsonValue): number {
  return list.findIndex((entry) => {
    if (!isJsonObject(entry)) throw badArgType({}, entry);
    return Object.hasOwn(entry, mergeKey) && entry[mergeKey] === value;
  });
}

/** Splits `merged` into items present in `by` (by merge key, or by value for scalars) and the rest. */
function partition(
  merged: JsonValue[],
  by: JsonValue[],
  mergeKey: string,
  kind: Kind,
): [JsonValue[], JsonValue[]] {
  const inPatch: JsonValue[] = [];
  const serverOnly: JsonValue[] = [];
  for (const item of merged) {
    if (kind === "map" && mergeKey) {
      if (!isJsonObject(item)) throw badArgType({}, item);
      if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
      (findByKey(by, mergeKey, item[mergeKey]) >= 0 ? inPatch : serverOnly).push(item);
    } else {
      (by.some((b) => jsonEqual(b, item)) ? inPatch : serverOnly).push(item);
    }
  }
  return [inPatch, serverOnly];
}

type OrderInput = {
  patchItems: JsonValue[];
  serverOnly: JsonValue[];
  patchOrder: JsonValue[];
  serverOrder: JsonValue[];
  mergeKey: string;
  kind: Kind;
};

/**
 * Sorts patch items by the patch order and server-only items by the live
 * order, then interleaves them: a server-only item goes before a patch item
 * only when both are in the live list and it came first there.
 */
function normalizeOrder(input: OrderInput): JsonValue[] {
  const { mergeKey, kind, serverOrder } = input;
  const right = sortBy(input.patchItems, input.patchOrder, mergeKey, kind);
  const left = sortBy(input.serverOnly, serverOrder, mergeKey, kind);
  const result: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) result.push(right[j++]);
    else if (j >= right.length) result.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) result.push(left[i++]);
      else result.push(right[j++]);
    }
  }
  return result;
}

function sortBy(items: JsonValue[], order: JsonValue[], mergeKey: string, kind: Kind): JsonValue[] {
  const position = (item: JsonValue) => {
    const at = indexIn(order, item, mergeKey, kind);
    return at < 0 ? Number.MAX_SAFE_INTEGER : at;
  };
  return items
    .map((item, i) => ({ item, i, at: position(item) }))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map((entry) => entry.item);
}

function indexIn(list: JsonValue[], item: JsonValue, mergeKey: string, kind: Kind): number {
  if (kind === "map" && mergeKey) {
    const value = isJsonObject(item) ? item[mergeKey] : undefined;
    return list.findIndex((entry) => isJsonObject(entry) && entry[mergeKey] === value);
  }
  return list.findIndex((entry) => jsonEqual(entry, item));
}
