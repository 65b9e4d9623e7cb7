/**
 * RFC 6902 JSON Patch, with the behaviour of the library kube-apiserver uses
 * (evanphx/json-patch v4): negative array indices count from the end, a
 * `test` for `null` passes on a missing value, and operations on the document
 * root are rejected.
 */
import { StatusError } from "../api/errors.ts";
import { isJsonObject, type JsonValue, jsonClone, jsonEqual } from "./json-value.ts";

/** kube-apiserver refuses JSON patches with more operations than this. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/**
 * Applies `patch` (the parsed request body) to a copy of `document` and returns
 * it. Throws `StatusError`s as kube-apiserver answers: BadRequest when the body
 * is not a list of operations, RequestEntityTooLarge past 10000 operations, and
 * Invalid (422, "the server rejected our request due to an error in our
 * request", the detail in `details.causes`) when an operation does not apply.
 */
export function applyJsonPatch(document: unknown, patch: unknown): JsonValue {
  if (patch === null) return jsonClone(document as JsonValue);
  if (!Array.isArray(patch)) {
    throw new StatusError(
      "BadRequest",
      `json: cannot unmarshal ${goKind(patch)} into Go value of type jsonpatch.Patch`,
    );
  }
  if (patch.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new StatusError(
      "RequestEntityTooLarge",
      `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${patch.length}`,
    );
  }
  const root: { doc: JsonValue } = { doc: jsonClone(document as JsonValue) };
  for (const operation of patch) {
    try {
      applyOperation(root, operation);
    } catch (error) {
      if (!(error instanceof PatchFailure)) throw error;
      throw new StatusError("Invalid", "the server rejected our request due to an error in our request", {
        details: { causes: [{ reason: "UnexpectedServerResponse", message: error.message }] },
        cause: error,
      });
    }
  }
  return root.doc;
}

class PatchFailure extends Error {}

type Container = { parent: JsonValue[] | { [key: string]: JsonValue }; key: string };

function applyOperation(root: { doc: JsonValue }, operation: unknown): void {
  if (!isJsonObject(operation)) throw new PatchFailure("json: cannot unmarshal operation: not an object");
  const op = typeof operation.op === "string" ? operation.op : "unknown";
  const value = operation.value === undefined ? null : operation.value;
  switch (op) {
    case "add":
      add(root, requirePath(operation, "path"), jsonClone(value), op);
      return;
    case "remove": {
      const path = requirePath(operation, "path");
      const at = locate(root, path);
      if (!at)
        throw new PatchFailure(
          `remove operation does not apply: doc is missing path: "${path}": missing value`,
        );
      remove(at);
      return;
    }
    case "replace": {
      const path = requirePath(operation, "path");
      const at = locate(root, path);
      if (!at)
        throw new PatchFailure(
          `replace operation does not apply: doc is missing path: ${path}: missing value`,
        );
      if (get(at) === undefined) {
        throw new PatchFailure(
          `replace operation does not apply: doc is missing key: ${path}: missing value`,
        );
      }
      set(at, jsonClone(value));
      return;
    }
    case "move":
    case "copy": {
      const from = requirePath(operation, "from");
      const at = locate(root, from);
      const moved = at ? get(at) : undefined;
      if (!at || moved === undefined) {
        throw new PatchFailure(
          `${op} operation does not apply: doc is missing from path: ${from}: missing value`,
        );
      }
      if (op === "move") remove(at);
      add(root, requirePath(operation, "path"), op === "copy" ? jsonClone(moved) : moved, op);
      return;
    }
    case "test": {
      const path = requirePath(operation, "path");
      const at = locate(root, path);
      if (!at)
        throw new PatchFailure(`test operation does not apply: is missing path: ${path}: missing value`);
      const actual = get(at);
      if (actual === undefined ? value === null : jsonEqual(actual, value)) return;
      throw new PatchFailure(`testing value ${path} failed: test failed`);
    }
    default:
      throw new PatchFailure(`Unexpected kind: ${op}`);
  }
}

function requirePath(operation: { [key: string]: JsonValue }, field: "path" | "from"): string {
  const path = operation[field];
  if (typeof path !== "string") throw new PatchFailure(`operation missing ${field} field: missing value`);
  return path;
}

/** Splits an RFC 6901 pointer into unescaped tokens; undefined for the root or a malformed pointer. */
function tokens(pointer: string): string[] | undefined {
  if (!pointer.startsWith("/")) return undefined;
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/** Finds the container holding the pointer's last token; undefined if an intermediate value is missing. */
function locate(root: { doc: JsonValue }, pointer: string): Container | undefined {
  const parts = tokens(pointer);
  if (!parts) return undefined;
  let current: JsonValue = root.doc;
  for (const part of parts.slice(0, -1)) {
    const next: JsonValue | undefined = Array.isArray(current)
      ? current[arrayIndex(part, current.length, false)]
      : isJsonObject(current) && Object.hasOwn(current, part)
        ? current[part]
        : undefined;
    if (next === undefined || next === null || typeof next !== "object") return undefined;
    current = next;
  }
  if (typeof current !== "object" || current === null) return undefined;
  return { parent: current, key: parts[parts.length - 1] };
}

function arrayIndex(token: string, length: number, forInsert: boolean): number {
  if (!/^[+-]?\d+$/.test(token)) throw new PatchFailure(`strconv.Atoi: parsing "${token}": invalid syntax`);
  let index = Number(token);
  const size = forInsert ? length + 1 : length;
  if (index >= size || index < -size) {
    throw new PatchFailure(`Unable to access invalid index: ${index}: invalid index referenced`);
  }
  if (index < 0) index += size;
  return index;
}

function get(at: Container): JsonValue | undefined {
  if (Array.isArray(at.parent)) return at.parent[arrayIndex(at.key, at.parent.length, false)];
  return Object.hasOwn(at.parent, at.key) ? at.parent[at.key] : undefined;
}

function set(at: Container, value: JsonValue): void {
  if (Array.isArray(at.parent)) at.parent[arrayIndex(at.key, at.parent.length, false)] = value;
  else at.parent[at.key] = value;
}

function add(root: { doc: JsonValue }, path: string, value: JsonValue, op: string): void {
  const at = locate(root, path);
  if (!at)
    throw new PatchFailure(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  if (!Array.isArray(at.parent)) {
    at.parent[at.key] = value;
    return;
  }
  const index = at.key === "-" ? at.parent.length : arrayIndex(at.key, at.parent.length, true);
  at.parent.splice(index, 0, value);
}

function remove(at: Container): void {
  if (Array.isArray(at.parent)) {
    at.parent.splice(arrayIndex(at.key, at.parent.length, false), 1);
    return;
  }
  if (!Object.hasOwn(at.parent, at.key)) {
    throw new PatchFailure(`Unable to remove nonexistent key: ${at.key}: missing value`);
  }
  delete at.parent[at.key];
}

function goKind(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return "object";
  return typeof value === "boolean" ? "bool" : typeof value;
}
