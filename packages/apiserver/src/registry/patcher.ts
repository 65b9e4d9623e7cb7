import { isRecord, type KubeObject } from "../api/object.ts";
import { applyJsonPatch } from "../patch/json-patch.ts";
import type { Patcher } from "./patching.ts";

// TEMPORARY until patch/merge-patch.ts and patch/strategic-merge.ts land.
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return patch;
  const out: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** The patch formats, backed by the patch package. */
export function createPatcher(): Patcher {
  return {
    json: (object, operations) => applyJsonPatch(object, operations) as KubeObject,
    merge: (object, patch) => mergePatch(object, patch) as KubeObject,
    strategic: (object, patch) => mergePatch(object, patch) as KubeObject,
  };
}
