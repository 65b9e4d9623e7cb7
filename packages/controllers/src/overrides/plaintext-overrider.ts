import type { KubeObject } from "@atoll/kube";
import { cloneJson } from "@atoll/kube";
import { addAt, removeAt, replaceAt } from "./json-pointer.ts";
import { OverrideError, OverrideFailure } from "./override-error.ts";
import type { PlaintextOverrider } from "./types.ts";

/**
 * Applies one plaintext overrider to `object` in place as the JSON-patch
 * operation it names: `add` (the parent must exist; "-" appends to a list),
 * `remove` and `replace` (the path must exist). The value is copied, so later
 * edits of the object never reach the policy. Throws OverrideError for another
 * operator, a missing value for add/replace, or a path that does not exist.
 */
export function applyPlaintextOverrider(object: KubeObject, overrider: PlaintextOverrider): void {
  const { operator, path } = overrider;
  if (operator === "remove") {
    removeAt(object, path);
    return;
  }
  if (operator !== "add" && operator !== "replace") {
    throw new OverrideError(
      OverrideFailure.InvalidOverrider,
      `plaintext operator ${JSON.stringify(operator)} is not one of add, remove, replace`,
    );
  }
  if (overrider.value === undefined) {
    throw new OverrideError(
      OverrideFailure.InvalidOverrider,
      `plaintext ${operator} at ${path} needs a value`,
    );
  }
  const value = cloneJson(overrider.value);
  if (operator === "add") addAt(object, path, value);
  else replaceAt(object, path, value);
}
