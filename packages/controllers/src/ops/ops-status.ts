import { type OpsPhase, OpsPhases, type OpsType, opsClusterName } from "@atoll/api";
import { rfc3339 } from "@atoll/kube";
import { type ConditionState, mergeConditions } from "../binding/conditions.ts";
import { OpsConditions, OpsReasons, StartedConditions } from "./ops-names.ts";
import type { Evaluation } from "./ops-progress.ts";
import type { Ops, OpsStatus } from "./ops-spec.ts";
import type { Problem } from "./ops-validation.ts";

/** A change to an OpsRequest's status: fields to set, conditions to set and to drop. */
export type StatusChange = { fields: Partial<OpsStatus>; set?: ConditionState[]; remove?: string[] };

/** The status after `change`; conditions keep their transition time when their status holds. */
export function changedStatus(old: OpsStatus | undefined, change: StatusChange, now: Date): OpsStatus {
  const status: OpsStatus = {
    ...old,
    ...change.fields,
    conditions: mergeConditions(old?.conditions, change.set ?? [], change.remove ?? [], now),
  };
  for (const key of Object.keys(status) as Array<keyof OpsStatus>) {
    if (status[key] === undefined) delete status[key];
  }
  return status;
}

export const TERMINAL_PHASES: readonly OpsPhase[] = [
  OpsPhases.Succeed,
  OpsPhases.Failed,
  OpsPhases.Aborted,
  OpsPhases.Cancelled,
];

export const isTerminal = (phase: OpsPhase | undefined) =>
  phase !== undefined && TERMINAL_PHASES.includes(phase);

const validated: ConditionState = {
  type: OpsConditions.Validated,
  status: "True",
  reason: OpsReasons.ValidateOpsRequestPassed,
  message: "",
};

/** Waiting for its turn, or for the Cluster to reach a phase it may start from. */
export function waiting(message: string): StatusChange {
  return {
    fields: { phase: OpsPhases.Pending, progress: "-/-" },
    set: [
      validated,
      {
        type: OpsConditions.WaitForProgressing,
        status: "True",
        reason: OpsReasons.WaitForProgressing,
        message,
      },
    ],
  };
}

/** Refused before it changed anything. */
export function rejected(problem: Problem, now: Date): StatusChange {
  return {
    fields: { phase: OpsPhases.Failed, completionTimestamp: rfc3339(now) },
    set: [
      { type: OpsConditions.Validated, status: "False", reason: problem.reason, message: problem.message },
      {
        type: OpsConditions.Failed,
        status: "True",
        reason: OpsReasons.OpsRequestFailed,
        message: problem.message,
      },
    ],
    remove: [OpsConditions.WaitForProgressing],
  };
}

/** About to make its change on the Cluster. */
export function creating(now: Date, fields: Partial<OpsStatus>): StatusChange {
  return {
    fields: { phase: OpsPhases.Creating, startTimestamp: rfc3339(now), ...fields },
    set: [validated],
    remove: [OpsConditions.WaitForProgressing],
  };
}

/** Its change is on the Cluster; from here progress is judged from the Cluster's status. */
export function running(op: Ops, clusterName: string, fields: Partial<OpsStatus>): StatusChange {
  const started = StartedConditions[op.spec.type as OpsType];
  const message = `Start to process the OpsRequest ${op.metadata.name} in Cluster ${clusterName}`;
  return {
    fields: { phase: OpsPhases.Running, ...fields },
    set: [
      validated,
      { type: OpsConditions.Progressing, status: "True", reason: OpsReasons.ProgressingStarted, message },
      ...(started ? [{ type: started.type, status: "True" as const, reason: started.reason, message }] : []),
    ],
    remove: [OpsConditions.WaitForProgressing],
  };
}

/** Finished: Succeed, Failed, Aborted or Cancelled, with why. */
export function finished(phase: OpsPhase, reason: string, message: string, now: Date): StatusChange {
  const type =
    phase === OpsPhases.Succeed
      ? OpsConditions.Succeed
      : phase === OpsPhases.Aborted
        ? OpsConditions.Aborted
        : phase === OpsPhases.Cancelled
          ? OpsConditions.Cancelled
          : OpsConditions.Failed;
  return {
    fields: { phase, completionTimestamp: rfc3339(now) },
    set: [
      { type, status: "True", reason, message },
      { type: OpsConditions.Progressing, status: "False", reason: phase, message },
    ],
    remove: [OpsConditions.WaitForProgressing],
  };
}

/** The end a finished evaluation calls for, with its progress: Succeed (Cancelled when cancelling) or Failed. */
export function concluded(
  op: Ops,
  evaluation: Evaluation,
  fields: Partial<OpsStatus>,
  options: { cancelling: boolean; now: Date },
): StatusChange {
  const name = op.metadata.name;
  const done =
    evaluation.outcome === "Failed"
      ? finished(OpsPhases.Failed, OpsReasons.OpsRequestFailed, evaluation.message ?? "failed", options.now)
      : options.cancelling
        ? finished(OpsPhases.Cancelled, OpsReasons.CancelSucceed, `Cancelled OpsRequest ${name}`, options.now)
        : finished(
            OpsPhases.Succeed,
            OpsReasons.ProcessedSuccessfully,
            `Successfully processed the OpsRequest ${name} in Cluster ${opsClusterName(op.spec)}`,
            options.now,
          );
  return { ...done, fields: { ...done.fields, ...fields } };
}

/** The Cluster is gone: refused before the change was made, failed after. */
export function clusterGone(op: Ops, now: Date): StatusChange {
  const clusterName = opsClusterName(op.spec ?? {}) || "(no clusterName)";
  const phase = op.status?.phase;
  if (phase === OpsPhases.Running || phase === OpsPhases.Cancelling || phase === OpsPhases.Creating) {
    return finished(OpsPhases.Failed, OpsReasons.ClusterNotFound, `Cluster ${clusterName} was deleted`, now);
  }
  const message = `Cluster ${clusterName} not found in namespace ${op.metadata.namespace}`;
  return rejected({ reason: OpsReasons.ClusterNotFound, message }, now);
}

/** A cancel asked of an operation that cannot be cancelled (all but HorizontalScaling and VerticalScaling). */
export function cancelRefused(op: Ops): StatusChange {
  const message = `a ${op.spec.type} OpsRequest cannot be cancelled`;
  return {
    fields: {},
    set: [{ type: OpsConditions.Cancelled, status: "False", reason: OpsReasons.CancelFailed, message }],
  };
}

/** The configuration before the operation is back on the Cluster (at `generation`); waiting to see it. */
export function cancelling(op: Ops, generation: number | undefined, now: Date): StatusChange {
  const message = `Start to cancel the OpsRequest ${op.metadata.name} in Cluster ${opsClusterName(op.spec)}`;
  return {
    fields: { phase: OpsPhases.Cancelling, cancelTimestamp: rfc3339(now), clusterGeneration: generation },
    set: [{ type: OpsConditions.Cancelled, status: "False", reason: OpsReasons.Canceling, message }],
  };
}
