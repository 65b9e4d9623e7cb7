/**
 * RFC 7386 JSON Merge Patch, as kube-apiserver applies it (evanphx/json-patch
 * v4 `MergePatch`): objects merge key by key, `null` deletes, anything else
 * replaces. Like kube-apiserver, null-valued keys are also pruned from objects
 * nested in newly set values, including objects inside arrays.
 */
import { StatusError } from "../api/errors.ts";
import { isJsonObject, type JsonObject, type JsonValue, jsonClone } from "./json-value.ts";

/**
 * Applies `patch` (the parsed request body) to a copy of `document`. A JSON
 * `null` patch fails as in kube-apiserver (500, "Invalid JSON Patch"); a
 * non-object patch replaces the document, as RFC 7386 says.
 */
export function applyMergePatch(document: unknown, patch: unknown): JsonValue {
  if (patch === null || patch === undefined) throw new StatusError("InternalError", "Invalid JSON Patch");
  if (Array.isArray(patch)) return pruneNulls(jsonClone(patch as JsonValue));
  if (!isJsonObject(patch)) throw new StatusError("InternalError", "Invalid JSON Patch");
  if (!isJsonObject(document)) return pruneNulls(jsonClone(patch));
  return mergeObjects(jsonClone(document), patch);
}

function mergeObjects(target: JsonObject, patch: JsonObject): JsonObject {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete target[key];
      continue;
    }
    const current = Object.hasOwn(target, key) ? target[key] : null;
    if (isJsonObject(current) && isJsonObject(value)) {
      target[key] = mergeObjects(current, value);
    } else if (isJsonObject(current)) {
      target[key] = jsonClone(value);
    } else {
      target[key] = pruneNulls(jsonClone(value));
    }
  }
  return target;
}

/** Removes null-valued keys from objects, recursively; null array elements stay. */
function pruneNulls(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(pruneNulls);
  if (!isJsonObject(value)) return value;
  const pruned: JsonObject = {};
  for (const [key, v] of Object.entries(value)) if (v !== null) pruned[key] = pruneNulls(v);
  return pruned;
}
