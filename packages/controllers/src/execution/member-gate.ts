import { type MemberCluster, MemberConditions, type Work } from "@atoll/api";
import type { KubeClient } from "@atoll/kube";
import type { PropagationContext } from "../propagation/context.ts";

/** Why a Work is not being applied: the reason of its Applied=Unknown condition. */
export const NotDispatchedReasons = {
  MemberNotFound: "MemberNotFound",
  /** The MemberCluster is being deleted: unjoining removes (or orphans) what the hub placed there. */
  MemberLeaving: "MemberLeaving",
  MemberDisabled: "MemberDisabled",
  MemberNotJoined: "MemberNotJoined",
  MemberNotReady: "MemberNotReady",
  DispatchingSuspended: "DispatchingSuspended",
} as const;
export type NotDispatchedReason = (typeof NotDispatchedReasons)[keyof typeof NotDispatchedReasons];

/** Whether Atoll may write to a member now, and if not, why not. */
export type MemberGate =
  | { open: true; client: KubeClient; source: object }
  | { open: false; reason: NotDispatchedReason; message: string };

/**
 * The member's side of the gate: it must exist and not be leaving, be enabled, joined (with a
 * live connection) and Ready. An unreachable member is not written to at all
 * until it is Ready again (its MemberCluster changing re-queues its Works),
 * rather than every Work retrying against it on its own.
 */
export function memberGate(
  member: string,
  mc: MemberCluster | undefined,
  members: PropagationContext["members"],
): MemberGate {
  if (!mc) {
    return closed("MemberNotFound", `member cluster ${member} does not exist`);
  }
  if (mc.metadata.deletionTimestamp) {
    return closed(
      "MemberLeaving",
      `member cluster ${member} is being unjoined: what the hub placed there is removed (or orphaned) by the unjoin`,
    );
  }
  if (mc.spec?.disabled) {
    return closed(
      "MemberDisabled",
      `member cluster ${member} is disabled: nothing is written to it; the statuses shown are its last known state`,
    );
  }
  const runtime = members.runtime(member);
  const joined = conditionStatus(mc, MemberConditions.Joined) === "True";
  if (!runtime || !joined) {
    return closed("MemberNotJoined", `member cluster ${member} is not joined`);
  }
  const ready = conditionStatus(mc, MemberConditions.Ready);
  if (ready !== "True") {
    return closed(
      "MemberNotReady",
      `member cluster ${member} is not Ready (${ready ?? "no Ready condition"}); applying resumes when it is`,
    );
  }
  return { open: true, client: runtime.connection.client, source: runtime.connection };
}

/** The Work's side of the gate: spec.suspendDispatching. */
export function workGate(work: Work): MemberGate | undefined {
  return work.spec?.suspendDispatching
    ? closed("DispatchingSuspended", "dispatching is suspended (spec.suspendDispatching): nothing is written")
    : undefined;
}

/**
 * What about a member decides whether its Works may be applied; when this
 * changes, all its Works are re-queued (and only then: a MemberCluster's
 * status also changes for probe timings and summaries).
 */
export function gateSignature(
  member: string,
  mc: MemberCluster | undefined,
  members: PropagationContext["members"],
): string {
  const gate = memberGate(member, mc, members);
  return gate.open ? "open" : gate.reason;
}

function closed(reason: NotDispatchedReason, message: string): MemberGate {
  return { open: false, reason, message };
}

function conditionStatus(mc: MemberCluster, type: string): string | undefined {
  return mc.status?.conditions?.find((c) => c.type === type)?.status;
}
