/**
 * Server-side apply (`PATCH` with `application/apply-patch+yaml`): merges an
 * applied configuration into the live object and moves field ownership, with
 * kube-apiserver's conflict rules.
 */
import { badRequest } from "../api/errors.ts";
import type { Shape, ShapeResolver } from "../schema/shape.ts";
import { compareObjects, excludeFields } from "./compare.ts";
import { applyConflictError, type ManagerConflict } from "./conflict.ts";
import {
  difference,
  type FieldSet,
  intersection,
  isEmptyFieldSet,
  recursiveDifference,
  union,
} from "./field-set.ts";
import { ensureNamedFieldsAreMembers, fieldSetOf } from "./field-set-of.ts";
import { isObject, type JsonObject, jsonEqual } from "./json-value.ts";
import { syncLastApplied } from "./last-applied.ts";
import {
  decodeManagedFieldsOrEmpty,
  formatTime,
  type ManagerFields,
  managerIdentifier,
  readManagedFields,
  UNTRACKED_FIELDS,
  withoutManagedFields,
  writeManagedFields,
} from "./managed-fields.ts";
import { mergeApplied } from "./merge.ts";
import { removeFields } from "./remove.ts";

/** Inputs to `applyPatch`; the caller has decoded the body and resolved the field manager. */
export type ApplyOptions = {
  /** The stored object; `undefined` when the apply creates it. */
  live: object | undefined;
  /** The applied configuration (the decoded patch body). */
  applied: object;
  /** The `fieldManager` query parameter; `""` is recorded as `unknown`. */
  manager: string;
  /** `force=true`: take conflicting fields from their owners instead of failing. */
  force: boolean;
  shape: Shape;
  resolver: ShapeResolver;
  now: Date;
  /** e.g. `status` for `PATCH …/status`. */
  subresource?: string;
  /** The request's `group/version` (`v1` for the core group). */
  apiVersion: string;
  /**
   * Paths this endpoint resets, which nobody can own through it: a strategy's reset fields, e.g.
   * `decodeFieldsV1({ "f:status": {} })` on the main resource. Default: none.
   */
  ignoredFields?: FieldSet;
};

/**
 * Applies `applied` to `live` on behalf of `manager`:
 * - the fields the configuration sets become the manager's (operation Apply);
 * - fields it applied before and no longer does are removed from the object,
 *   unless another manager owns them too;
 * - changing a field another manager owns is a `Conflict` (409) listing each
 *   field, unless `force`, which takes the fields from their owners.
 *
 * A no-op apply returns the live object with ownership updated but no times
 * changed. Throws `BadRequest` for a configuration that names another
 * version or kind, or carries `metadata.managedFields`.
 */
export function applyPatch(options: ApplyOptions): { object: JsonObject } {
  const { shape, resolver, ignoredFields } = options;
  const applied = asObject(options.applied, "applied configuration");
  const live = options.live === undefined ? undefined : asObject(options.live, "live object");
  checkConfiguration(applied, live, options.apiVersion);

  const managers = decodeManagedFieldsOrEmpty(live ? readManagedFields(live) : undefined);
  const before = live ? withoutManagedFields(live) : {};
  const subresource = options.subresource ?? "";
  const applier = { manager: options.manager || "unknown", operation: "Apply" as const, subresource };
  const id = managerIdentifier({ ...applier, apiVersion: options.apiVersion });
  const previous = managers.get(id);
  let configSet = fieldSetOf(applied, shape, resolver);
  if (ignoredFields) configSet = recursiveDifference(configSet, ignoredFields);

  const next = new Map(managers);
  next.set(id, { ...applier, apiVersion: options.apiVersion, time: previous?.time, set: configSet });
  let after = mergeApplied(before, applied, shape, resolver);
  if (previous) after = prune(after, previous.set, next, shape, resolver);

  const comparison = excludeFields(compareObjects(before, after, shape, resolver), ignoredFields);
  const changed = union(comparison.added, comparison.modified);
  const conflicts = new Map<string, ManagerConflict>();
  for (const [otherId, owner] of next) {
    if (otherId === id) continue;
    const fields = intersection(owner.set, changed);
    if (!isEmptyFieldSet(fields)) conflicts.set(otherId, { owner, fields });
  }
  if (conflicts.size > 0 && !options.force) throw applyConflictError(conflicts);

  for (const [otherId, owner] of next) {
    if (otherId === id) continue;
    const taken = conflicts.get(otherId)?.fields;
    const set = difference(taken ? difference(owner.set, taken) : owner.set, comparison.removed);
    if (isEmptyFieldSet(set)) next.delete(otherId);
    else next.set(otherId, { ...owner, set });
  }
  const mine = difference(configSet, UNTRACKED_FIELDS);
  const unchanged = jsonEqual(before, after);
  if (isEmptyFieldSet(mine)) next.delete(id);
  else {
    const time = unchanged ? previous?.time : formatTime(options.now);
    next.set(id, { ...applier, apiVersion: options.apiVersion, time, set: mine });
  }

  const result = writeManagedFields(unchanged ? before : after, next);
  return { object: syncLastApplied(result, applied, options.manager) };
}

/**
 * Removes what `manager` applied last time and no manager (including the
 * applier's new configuration) owns now. Identity fields are never removed.
 */
function prune(
  merged: JsonObject,
  lastApplied: FieldSet,
  managers: ReadonlyMap<string, ManagerFields>,
  shape: Shape,
  resolver: ShapeResolver,
): JsonObject {
  let owned: FieldSet = { member: false, children: new Map() };
  for (const owner of managers.values()) owned = union(owned, owner.set);
  const stale = difference(
    ensureNamedFieldsAreMembers(lastApplied, shape, resolver),
    ensureNamedFieldsAreMembers(owned, shape, resolver),
  );
  return removeFields(merged, difference(stale, UNTRACKED_FIELDS), shape, resolver);
}

function asObject(value: object, what: string): JsonObject {
  if (!isObject(value)) throw badRequest(`${what} must be a JSON object`);
  return value;
}

/** kube-apiserver's checks on an apply body before merging. */
function checkConfiguration(applied: JsonObject, live: JsonObject | undefined, apiVersion: string): void {
  const kind = typeof applied.kind === "string" ? applied.kind : "";
  const version = typeof applied.apiVersion === "string" ? applied.apiVersion : "";
  const liveKind = live && typeof live.kind === "string" ? live.kind : kind;
  if (version !== apiVersion || kind !== liveKind || kind === "") {
    const gv = version.includes("/") ? version : `/${version}`;
    throw badRequest(`invalid object type: ${gv}, Kind=${kind}`);
  }
  const metadata = applied.metadata;
  if (isObject(metadata) && metadata.managedFields !== undefined && metadata.managedFields !== null) {
    throw badRequest("metadata.managedFields must be nil");
  }
}
