/** Rendering a member's copy of a resource template from OverridePolicies and ClusterOverridePolicies. */
export {
  type AppliedOverride,
  type ApplyOverridesInput,
  type ApplyOverridesResult,
  applyOverrides,
  type OverridePolicyKind,
} from "./apply-overrides.ts";
export { formatImageReference, type ImageReference, parseImageReference } from "./image-reference.ts";
export { OverrideError, OverrideFailure, type OverrideSource } from "./override-error.ts";
export { ImplicitPriority, selectorsPriority } from "./resource-selector.ts";
export { targetClusterMatches } from "./target-cluster.ts";
export type * from "./types.ts";
