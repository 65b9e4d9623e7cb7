/**
 * Server-side apply and managed-fields tracking, after structured-merge-diff:
 * who owns which field of an object, how an apply merges and prunes, and the
 * exact `metadata.managedFields` encoding kubectl and client libraries read.
 */
export { type ApplyOptions, applyPatch } from "./apply.ts";
export { type Comparison, compareObjects } from "./compare.ts";
export { applyConflictError } from "./conflict.ts";
export {
  difference,
  emptyFieldSet,
  type FieldPath,
  type FieldSet,
  fieldPaths,
  fieldSetOfPaths,
  fieldSetsEqual,
  hasPath,
  intersection,
  isEmptyFieldSet,
  recursiveDifference,
  union,
} from "./field-set.ts";
export { ensureNamedFieldsAreMembers, fieldSetOf } from "./field-set-of.ts";
export { decodeFieldsV1, encodeFieldsV1, type FieldsV1 } from "./fields-v1.ts";
export { LAST_APPLIED_ANNOTATION } from "./last-applied.ts";
export {
  decodeManagedFields,
  encodeManagedFields,
  formatTime,
  type ManagedFieldsEntry,
  type ManagerFields,
  managerIdentifier,
  type Operation,
  UNTRACKED_FIELDS,
} from "./managed-fields.ts";
export { mergeApplied } from "./merge.ts";
export { decodePathElement, encodePathElement, formatPath, type PathElement } from "./path-element.ts";
export { removeFields } from "./remove.ts";
export { MAX_UPDATE_MANAGERS, type TrackUpdateOptions, trackUpdate } from "./update.ts";
