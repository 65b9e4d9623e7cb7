import type { KubeObject } from "../api/object.ts";
import { applyJsonPatch } from "../patch/json-patch.ts";
import { applyMergePatch } from "../patch/merge-patch.ts";
import { strategicMergePatch } from "../patch/strategic-merge.ts";
import type { Patcher } from "./patching.ts";

/** The patch formats, backed by the patch package. */
export function createPatcher(): Patcher {
  return {
    json: (object, operations) => applyJsonPatch(object, operations) as KubeObject,
    merge: (object, patch) => applyMergePatch(object, patch) as KubeObject,
    strategic: (object, patch, shape, resolver) =>
      strategicMergePatch(object, patch, shape, resolver) as KubeObject,
  };
}
