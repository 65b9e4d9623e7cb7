import { isRecord, type KubeObject } from "@atoll/kube";
import { setOwn } from "./json-pointer.ts";
import { OverrideError, OverrideFailure } from "./override-error.ts";
import type { LabelAnnotationOverrider } from "./types.ts";

/** The metadata map a labelsOverrider or annotationsOverrider edits. */
export type MetadataMapField = "labels" | "annotations";

/**
 * Applies one labelsOverrider/annotationsOverrider to the template's own
 * metadata.labels or metadata.annotations, in place, as Karmada: `add` sets
 * every key (creating the map, overwriting existing values), `replace` sets
 * only keys that already exist, `remove` deletes only keys that exist (the
 * values given with remove are ignored). Throws OverrideError for another operator.
 */
export function applyLabelAnnotationOverrider(
  object: KubeObject,
  overrider: LabelAnnotationOverrider,
  field: MetadataMapField,
): void {
  const { operator } = overrider;
  if (operator !== "add" && operator !== "remove" && operator !== "replace") {
    throw new OverrideError(
      OverrideFailure.InvalidOverrider,
      `${field} operator ${JSON.stringify(operator)} is not one of add, remove, replace`,
    );
  }
  const entries = Object.entries(overrider.value ?? {});
  if (entries.length === 0) return;
  const existing = object.metadata[field];
  if (existing !== undefined && !isRecord(existing)) {
    throw new OverrideError(OverrideFailure.InvalidOverrider, `metadata.${field} is not a map`);
  }
  if (operator !== "add" && existing === undefined) return;
  const map: Record<string, string> = existing ?? {};
  for (const [key, value] of entries) {
    const present = Object.hasOwn(map, key);
    if (operator === "add" || (operator === "replace" && present)) setOwn(map, key, value);
    else if (operator === "remove" && present) delete map[key];
  }
  object.metadata[field] = map;
}
