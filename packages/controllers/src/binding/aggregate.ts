import {
  type AggregatedStatusItem,
  BindingConditions,
  type Condition,
  FullyAppliedReasons,
  type ManifestStatus,
  type Work,
  WorkConditions,
} from "@atoll/api";
import { isRecord } from "@atoll/kube";
import type { ConditionState } from "./conditions.ts";

/** A binding's Work in one member. */
export type MemberWork = { member: string; work: Work };

/**
 * One item per member holding a Work of the binding, by member name: the
 * template's own copy's status there (manifest 0), whether the Work was
 * applied (and why not), and its health.
 */
export function aggregatedItems(works: readonly MemberWork[]): AggregatedStatusItem[] {
  return [...works]
    .sort((a, b) => (a.member < b.member ? -1 : a.member > b.member ? 1 : 0))
    .map(({ member, work }) => {
      const item: AggregatedStatusItem = { clusterName: member };
      const manifest = templateStatus(work);
      if (manifest?.status && isRecord(manifest.status)) item.status = manifest.status;
      const applied = appliedCondition(work);
      item.applied = applied?.status === "True";
      if (applied && applied.status !== "True" && applied.message) item.appliedMessage = applied.message;
      if (manifest?.health) item.health = manifest.health;
      return item;
    });
}

/**
 * FullyApplied: True once every target member's Work is applied; otherwise
 * False naming each member that is not, and why. No condition while the
 * binding targets no member.
 */
export function fullyAppliedCondition(
  targets: readonly string[],
  items: readonly AggregatedStatusItem[],
): ConditionState | undefined {
  if (targets.length === 0) return undefined;
  const pending = targets.flatMap((member) => {
    const item = items.find((i) => i.clusterName === member);
    if (!item) return [`${member} (no Work yet)`];
    if (item.applied) return [];
    return [item.appliedMessage ? `${member} (${item.appliedMessage})` : `${member} (not applied yet)`];
  });
  if (pending.length === 0) {
    return {
      type: BindingConditions.FullyApplied,
      status: "True",
      reason: FullyAppliedReasons.Success,
      message: "every Work of the binding is applied in its member",
    };
  }
  return {
    type: BindingConditions.FullyApplied,
    status: "False",
    reason: FullyAppliedReasons.Failed,
    message: `not applied in ${pending.join(", ")}`,
  };
}

/** The Work's Applied condition. */
export function appliedCondition(work: Work): Condition | undefined {
  return work.status?.conditions?.find((c) => c.type === WorkConditions.Applied);
}

/** The status of the template's copy: manifest 0, the first in every Work. */
export function templateStatus(work: Work): ManifestStatus | undefined {
  return work.status?.manifestStatuses?.find((s) => s.identifier?.ordinal === 0);
}
