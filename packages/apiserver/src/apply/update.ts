/**
 * Field ownership for ordinary writes (create, update, JSON/merge/strategic
 * patch): the writer takes every field it changed, as an `Update` entry.
 */
import type { Shape, ShapeResolver } from "../schema/shape.ts";
import { compareObjects, excludeFields } from "./compare.ts";
import { difference, type FieldSet, isEmptyFieldSet, union } from "./field-set.ts";
import { isObject, type JsonObject } from "./json-value.ts";
import {
  decodeManagedFields,
  decodeManagedFieldsOrEmpty,
  formatTime,
  type ManagerFields,
  managerIdentifier,
  readManagedFields,
  UNTRACKED_FIELDS,
  withoutManagedFields,
  writeManagedFields,
} from "./managed-fields.ts";

/** At most this many Update entries are kept; older ones are folded into `ancient-changes`. */
export const MAX_UPDATE_MANAGERS = 10;
const ANCIENT_CHANGES_MANAGER = "ancient-changes";

/** Inputs to `trackUpdate`, called with the object about to be stored by a non-apply write. */
export type TrackUpdateOptions = {
  /** The stored object; `undefined` on create. */
  previous: object | undefined;
  /** The object about to be stored. */
  updated: object;
  /** The writer's field manager, chosen by the caller (`""` is recorded as `unknown`). */
  manager: string;
  shape: Shape;
  resolver: ShapeResolver;
  now: Date;
  subresource?: string;
  /** The request's `group/version`. */
  apiVersion: string;
  /** Paths this endpoint resets; nobody gains them through it. */
  ignoredFields?: FieldSet;
};

/**
 * `updated` with `metadata.managedFields` brought up to date:
 * - fields the write added or changed (all fields, on create) move to the
 *   manager's Update entry; removed fields leave every entry; empty entries go;
 * - managedFields the client sent (different from the stored ones) are taken
 *   as the starting point; `managedFields: []` clears them, and an object
 *   without managedFields is not tracked again until an apply; invalid ones
 *   are ignored in favour of the stored ones;
 * - on a subresource, the client's managedFields are always ignored.
 */
export function trackUpdate(options: TrackUpdateOptions): JsonObject {
  const updated = asObject(options.updated);
  const previous = options.previous === undefined ? undefined : asObject(options.previous);
  const subresource = options.subresource ?? "";
  const managers = startingManagers(previous, updated, subresource !== "");
  const after = withoutManagedFields(updated);
  if (managers.size === 0 && previous !== undefined) return after;

  const before = previous ? withoutManagedFields(previous) : {};
  const comparison = excludeFields(
    compareObjects(before, after, options.shape, options.resolver),
    options.ignoredFields,
  );
  const changed = union(comparison.added, comparison.modified);
  const next = new Map<string, ManagerFields>();
  for (const [id, owner] of managers) {
    const set = difference(difference(owner.set, changed), comparison.removed);
    if (!isEmptyFieldSet(set)) next.set(id, { ...owner, set });
  }

  const taken = difference(changed, UNTRACKED_FIELDS);
  if (!isEmptyFieldSet(taken)) {
    const writer = {
      manager: options.manager || "unknown",
      operation: "Update" as const,
      apiVersion: options.apiVersion,
      subresource,
    };
    const id = managerIdentifier(writer);
    const set = union(next.get(id)?.set ?? taken, taken);
    next.set(id, { ...writer, time: formatTime(options.now), set });
  }
  return writeManagedFields(after, capUpdateManagers(next, MAX_UPDATE_MANAGERS));
}

/** kube-apiserver's choice between the client's managedFields and the stored ones. */
function startingManagers(
  previous: JsonObject | undefined,
  updated: JsonObject,
  isSubresource: boolean,
): Map<string, ManagerFields> {
  const stored = () => decodeManagedFieldsOrEmpty(previous ? readManagedFields(previous) : undefined);
  if (isSubresource) return stored();
  const incoming = readManagedFields(updated);
  if (Array.isArray(incoming) && isReset(incoming)) return new Map();
  try {
    const managers = decodeManagedFields(incoming);
    if (managers.size > 0) return managers;
  } catch {
    // A client that mangles managedFields should not lose the stored ones.
  }
  return stored();
}

/** `[]` or `[{}]`: the client asks for ownership to be forgotten. */
function isReset(entries: readonly unknown[]): boolean {
  if (entries.length === 0) return true;
  const [only] = entries;
  return entries.length === 1 && isObject(only) && Object.keys(only).length === 0;
}

/**
 * Folds the oldest Update entries into one `ancient-changes` entry per API
 * version until at most `max` Update entries remain.
 */
export function capUpdateManagers(
  managers: Map<string, ManagerFields>,
  max: number,
): Map<string, ManagerFields> {
  const updaters = [...managers].filter(([, m]) => m.operation === "Update");
  if (updaters.length <= max) return managers;
  const seconds = (m: ManagerFields) => (m.time ? Math.floor(Date.parse(m.time) / 1000) : 0);
  updaters.sort(([aId, a], [bId, b]) => seconds(a) - seconds(b) || (aId < bId ? -1 : aId > bId ? 1 : 0));

  const result = new Map(managers);
  const firstOfVersion = new Map<string, string>();
  let count = updaters.length;
  for (const [id, owner] of updaters) {
    if (count <= max) break;
    const bucket = { manager: ANCIENT_CHANGES_MANAGER, operation: "Update" as const, subresource: "" };
    const bucketId = managerIdentifier({ ...bucket, apiVersion: owner.apiVersion });
    const first = firstOfVersion.get(owner.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(owner.apiVersion, id);
      continue;
    }
    if (id === bucketId) continue;
    const firstOwner = result.get(first);
    if (!result.has(bucketId) && firstOwner) {
      result.delete(first);
      result.set(bucketId, { ...firstOwner, ...bucket });
    }
    const set = union(result.get(bucketId)?.set ?? owner.set, owner.set);
    result.delete(id);
    result.set(bucketId, { ...bucket, apiVersion: owner.apiVersion, time: owner.time, set });
    count--;
  }
  return result;
}

function asObject(value: object): JsonObject {
  if (!isObject(value)) throw new TypeError("objects tracked for managed fields must be JSON objects");
  return value;
}
