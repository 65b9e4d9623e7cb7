import type { TargetCluster as BindingTarget, MemberCluster, ResourceBinding } from "@atoll/api";
import { jsonEqual } from "@atoll/kube";
import {
  explain,
  type FitError,
  type PlacementExplanation,
  type ScheduleSuccess,
} from "../scheduler/index.ts";
import { currentTargets, scheduleInputOf } from "./schedule-input.ts";

/** Why a binding is scheduled in this pass. */
export type SchedulingTrigger =
  /** It has no clusters yet. */
  | "Unscheduled"
  /** Its spec (replicas, placement, eviction tasks) changed since the last decision. */
  | "SpecChanged"
  /** A member it targets is gone or no longer passes the filters. */
  | "TargetUnfit"
  /** It is duplicated (or has no replicas), so it follows the set of fitting members. */
  | "MembersChanged";

export type SchedulingDecision =
  /** The current result stands; look again at `recheckAt` if set. */
  | { trigger: undefined; recheckAt?: Date }
  | { trigger: SchedulingTrigger; result: ScheduleSuccess; clusters: BindingTarget[] }
  | { trigger: SchedulingTrigger; error: FitError };

/** spec.clusters as written: no replicas field for objects without replicas. */
export function bindingTargets(result: ScheduleSuccess, replicas: number): BindingTarget[] {
  return result.clusters.map((c) =>
    replicas === 0 ? { name: c.name } : { name: c.name, replicas: c.replicas },
  );
}

function targetUnfit(binding: ResourceBinding, explanation: PlacementExplanation): boolean {
  const verdicts = new Map(explanation.members.map((m) => [m.name, m.verdict]));
  return currentTargets(binding).some((t) => {
    const verdict = verdicts.get(t.name);
    return verdict === undefined || verdict === "rejected";
  });
}

function triggerOf(
  binding: ResourceBinding,
  explanation: PlacementExplanation,
): SchedulingTrigger | undefined {
  const { spec, status, metadata } = binding;
  if (!spec.clusters?.length) return "Unscheduled";
  if (metadata.generation !== status?.schedulerObservedGeneration) return "SpecChanged";
  if (targetUnfit(binding, explanation)) return "TargetUnfit";
  const duplicated = explanation.strategy === "Duplicated" || (spec.replicas ?? 0) === 0;
  if (duplicated && "clusters" in explanation.result) {
    if (!jsonEqual(explanation.result.clusters, currentTargets(binding))) return "MembersChanged";
  }
  return undefined;
}

/**
 * Whether and how a binding is (re)scheduled, as Karmada's scheduler decides
 * it: always when unscheduled or when its spec changed; on member changes
 * only when a target became unfit — or, for duplicated objects, when the set
 * of fitting members changed. Divided replicas are not reshuffled because a
 * member was added or gained room: moving running replicas needs a reason.
 */
export function decideScheduling(
  binding: ResourceBinding,
  members: readonly MemberCluster[],
  now: Date,
): SchedulingDecision {
  const explanation = explain(scheduleInputOf(binding, members, now));
  const trigger = triggerOf(binding, explanation);
  const { result } = explanation;
  if (!trigger)
    return "clusters" in result && result.nextChangeAt
      ? { trigger, recheckAt: result.nextChangeAt }
      : { trigger };
  if ("error" in result) return { trigger, error: result.error };
  return { trigger, result, clusters: bindingTargets(result, binding.spec.replicas ?? 0) };
}
