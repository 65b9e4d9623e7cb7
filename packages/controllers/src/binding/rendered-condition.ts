import type { ConditionState } from "./conditions.ts";

/**
 * A binding condition of the binding controller: whether every target
 * member's Work holds the template as rendered for it. When False, the
 * affected members' Works are left as they were.
 */
export const RENDERED_CONDITION = "Rendered";

/** Reasons of the Rendered condition. */
export const RenderedReasons = {
  Success: "RenderSucceeded",
  /** An OverridePolicy or ClusterOverridePolicy could not be applied; the message names it and the member. */
  OverrideFailed: "OverrideFailed",
  /** The template the binding names does not exist at the hub. */
  TemplateNotFound: "TemplateNotFound",
  /** The hub serves no resource for the template's apiVersion and kind. */
  UnknownKind: "UnknownKind",
  /** A member in spec.clusters has no MemberCluster. */
  MemberNotFound: "MemberNotFound",
  /** The binding has no permanent-id label yet (the detector sets it). */
  NoPermanentId: "NoPermanentId",
  /** The hub's API server refused a rendered Work as invalid. */
  WorkRejected: "WorkRejected",
} as const;
export type RenderedReason = (typeof RenderedReasons)[keyof typeof RenderedReasons];

export type RenderFailure = { reason: RenderedReason; message: string };

/** Rendered: True when nothing failed; otherwise False with the first failure's reason and every message. */
export function renderedCondition(failures: readonly RenderFailure[]): ConditionState {
  if (failures.length === 0) {
    return {
      type: RENDERED_CONDITION,
      status: "True",
      reason: RenderedReasons.Success,
      message: "every target member's Work is rendered from the template",
    };
  }
  return {
    type: RENDERED_CONDITION,
    status: "False",
    reason: failures[0]?.reason ?? RenderedReasons.OverrideFailed,
    message: failures.map((f) => f.message).join("; "),
  };
}
