/**
 * `metadata.managedFields`: decoding the wire entries into per-manager field
 * sets and encoding them back, sorted as kube-apiserver sorts them.
 */
import { type FieldSet, fieldSetOfPaths, isEmptyFieldSet } from "./field-set.ts";
import { decodeFieldsV1, encodeFieldsV1, type FieldsV1 } from "./fields-v1.ts";
import { compareStrings, goJson, isObject, type JsonObject } from "./json-value.ts";
import { fieldKey } from "./path-element.ts";

/** `Apply` for server-side apply, `Update` for every other write. */
export type Operation = "Apply" | "Update";

/** One entry of `metadata.managedFields`, with fields in kube-apiserver's order. */
export type ManagedFieldsEntry = {
  manager: string;
  operation: Operation;
  apiVersion: string;
  /** RFC 3339, whole seconds, UTC. */
  time?: string;
  fieldsType: "FieldsV1";
  fieldsV1: FieldsV1;
  subresource?: string;
};

/** One manager's ownership. */
export type ManagerFields = {
  manager: string;
  operation: Operation;
  apiVersion: string;
  /** `""` for the main resource. */
  subresource: string;
  time: string | undefined;
  set: FieldSet;
};

/** Ownership by manager identifier (see `managerIdentifier`). */
export type Managers = ReadonlyMap<string, ManagerFields>;

/**
 * The key that tells managers apart, as kube-apiserver builds it: the entry
 * without fields and time, and without the API version for appliers (an
 * applier stays one manager across versions; an updater does not).
 */
export function managerIdentifier(entry: {
  manager: string;
  operation: Operation;
  apiVersion: string;
  subresource: string;
}): string {
  const fields: [string, string][] = [
    ["manager", entry.manager],
    ["operation", entry.operation],
    ["apiVersion", entry.operation === "Update" ? entry.apiVersion : ""],
    ["subresource", entry.subresource],
  ];
  const present = fields.filter(([, value]) => value !== "");
  return `{${present.map(([key, value]) => `"${key}":${goJson(value)}`).join(",")}}`;
}

/** `now` as managedFields records it: RFC 3339 in UTC, truncated to seconds. */
export function formatTime(now: Date): string {
  return new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

const UNTRACKED_METADATA = [
  "name",
  "namespace",
  "creationTimestamp",
  "selfLink",
  "uid",
  "clusterName",
  "generation",
  "managedFields",
  "resourceVersion",
];
/**
 * Paths never tracked: identity and bookkeeping that every writer touches.
 * Removed as members only, so `metadata.labels` stays tracked.
 */
export const UNTRACKED_FIELDS: FieldSet = fieldSetOfPaths([
  [fieldKey("apiVersion")],
  [fieldKey("kind")],
  [fieldKey("metadata")],
  ...UNTRACKED_METADATA.map((name) => [fieldKey("metadata"), fieldKey(name)]),
]);

/** Decodes `metadata.managedFields`; throws on an entry kube-apiserver would reject. */
export function decodeManagedFields(entries: unknown): Map<string, ManagerFields> {
  const managers = new Map<string, ManagerFields>();
  if (entries === undefined || entries === null) return managers;
  if (!Array.isArray(entries)) throw new Error("managedFields must be a list");
  entries.forEach((entry, i) => {
    if (!isObject(entry)) throw new Error(`managed fields entry ${i} must be an object`);
    const { manager = "", operation, apiVersion, time, fieldsType, fieldsV1, subresource = "" } = entry;
    if (operation !== "Apply" && operation !== "Update")
      throw new Error("operation must be `Apply` or `Update`");
    if (typeof apiVersion !== "string" || apiVersion === "") throw new Error("apiVersion must not be empty");
    if (fieldsType === undefined || fieldsType === "")
      throw new Error(`missing fieldsType in managed fields entry ${i}`);
    if (fieldsType !== "FieldsV1")
      throw new Error(`invalid fieldsType ${goJson(fieldsType)} in managed fields entry ${i}`);
    if (typeof manager !== "string" || typeof subresource !== "string") {
      throw new Error(`manager and subresource must be strings in managed fields entry ${i}`);
    }
    if (time !== undefined && time !== null && (typeof time !== "string" || Number.isNaN(Date.parse(time)))) {
      throw new Error(`invalid time in managed fields entry ${i}`);
    }
    const set = fieldsV1 === undefined || fieldsV1 === null ? fieldSetOfPaths([]) : decodeFieldsV1(fieldsV1);
    const fields: ManagerFields = {
      manager,
      operation,
      apiVersion,
      subresource,
      set,
      time: typeof time === "string" ? time : undefined,
    };
    managers.set(managerIdentifier(fields), fields);
  });
  return managers;
}

/** Like `decodeManagedFields`, but malformed entries count as no ownership at all. */
export function decodeManagedFieldsOrEmpty(entries: unknown): Map<string, ManagerFields> {
  try {
    return decodeManagedFields(entries);
  } catch {
    return new Map();
  }
}

const seconds = (time: string | undefined): number => (time ? Math.floor(Date.parse(time) / 1000) : 0);

/** Wire entries, Apply before Update, then oldest first, then by manager, version and subresource. */
export function encodeManagedFields(managers: Managers): ManagedFieldsEntry[] {
  return [...managers.values()]
    .filter((m) => !isEmptyFieldSet(m.set))
    .sort(
      (a, b) =>
        compareStrings(a.operation, b.operation) ||
        Math.sign(seconds(a.time) - seconds(b.time)) ||
        compareStrings(a.manager, b.manager) ||
        compareStrings(a.apiVersion, b.apiVersion) ||
        compareStrings(a.subresource, b.subresource),
    )
    .map((m) => ({
      manager: m.manager,
      operation: m.operation,
      apiVersion: m.apiVersion,
      ...(m.time ? { time: m.time } : {}),
      fieldsType: "FieldsV1",
      fieldsV1: encodeFieldsV1(m.set),
      ...(m.subresource ? { subresource: m.subresource } : {}),
    }));
}

/** The object's `metadata.managedFields` value, or `undefined`. */
export function readManagedFields(object: JsonObject): unknown {
  return isObject(object.metadata) ? object.metadata.managedFields : undefined;
}

/** A copy of the object with `metadata.managedFields` set from `managers` (absent when none). */
export function writeManagedFields(object: JsonObject, managers: Managers): JsonObject {
  const entries = encodeManagedFields(managers);
  const metadata: JsonObject = isObject(object.metadata) ? { ...object.metadata } : {};
  delete metadata.managedFields;
  if (entries.length > 0) metadata.managedFields = entries;
  else if (!isObject(object.metadata)) return withoutManagedFields(object);
  return { ...object, metadata };
}

/** A copy of the object without `metadata.managedFields`. */
export function withoutManagedFields(object: JsonObject): JsonObject {
  if (!isObject(object.metadata) || !("managedFields" in object.metadata)) return { ...object };
  const { managedFields: _, ...metadata } = object.metadata;
  return { ...object, metadata };
}
