import type { KubeObject } from "../api/object.ts";
import { applyPatch } from "../apply/apply.ts";
import { type FieldSet, fieldSetOfPaths } from "../apply/field-set.ts";
import { trackUpdate } from "../apply/update.ts";
import { apiVersionOf, type ResourceType } from "../resources/resource-type.ts";
import type { FieldManager, TypeHooksProvider } from "./hooks.ts";

const STATUS_ONLY: FieldSet = fieldSetOfPaths([["f:status"]]);
const SPEC_ONLY: FieldSet = fieldSetOfPaths([["f:spec"]]);

/**
 * Tracks `metadata.managedFields` on every write with the apply package:
 * through the main resource nobody gains `.status` of a kind with a status
 * subresource; through `/status` nobody gains `.spec`.
 */
export function createFieldManager(types: TypeHooksProvider): FieldManager {
  const ignored = (type: ResourceType, subresource: string | undefined): FieldSet | undefined => {
    if (subresource === "status") return SPEC_ONLY;
    return type.subresources.status ? STATUS_ONLY : undefined;
  };
  return {
    update({ type, previous, next, manager, subresource, now }) {
      return trackUpdate({
        previous,
        updated: next,
        manager,
        shape: type.shape,
        resolver: types.shapes,
        now,
        subresource,
        apiVersion: apiVersionOf(type),
        ignoredFields: ignored(type, subresource),
      }) as KubeObject;
    },
    apply({ type, live, applied, manager, force, subresource, now }) {
      return applyPatch({
        live,
        applied,
        manager,
        force,
        shape: type.shape,
        resolver: types.shapes,
        now,
        subresource,
        apiVersion: apiVersionOf(type),
        ignoredFields: ignored(type, subresource),
      }).object as KubeObject;
    },
  };
}
