import { KubeBlocksLabels, type OpsType, OpsTypes } from "@atoll/api";

/**
 * On a Cluster: the OpsRequests working on it, first the one running, then
 * those waiting (`inQueue: true`), as JSON `[{name, type, inQueue?}]` — the
 * annotation and shape KubeBlocks uses, so its tools read Atoll's queue.
 */
export const OPS_QUEUE_ANNOTATION = "kubeblocks.io/ops-request";

/** Labels KubeBlocks puts on an OpsRequest, so `kubectl get ops -l …` finds the operations of an instance. */
export const OpsLabels = {
  /** The Cluster's name. */
  instance: KubeBlocksLabels.instance,
  opsType: "ops.kubeblocks.io/ops-type",
} as const;

/** Condition types of an OpsRequest (KubeBlocks 0.9's, plus Progressing). */
export const OpsConditions = {
  /** True while the operation waits its turn on the Cluster. */
  WaitForProgressing: "WaitForProgressing",
  Validated: "Validated",
  /** True from the change being made until the operation ends; False with the final phase as reason. */
  Progressing: "Progressing",
  Succeed: "Succeed",
  Failed: "Failed",
  Aborted: "Aborted",
  Cancelled: "Cancelled",
} as const;

/** Reasons of those conditions. */
export const OpsReasons = {
  WaitForProgressing: "WaitForProgressing",
  ValidateOpsRequestPassed: "ValidateOpsRequestPassed",
  ValidateFailed: "ValidateFailed",
  ClusterNotFound: "ClusterNotFound",
  ClusterPhaseMismatch: "ClusterPhaseMismatch",
  OpsTypeNotSupported: "OpsTypeNotSupported",
  ProgressingStarted: "OpsRequestProgressingStarted",
  ProcessedSuccessfully: "OpsRequestProcessedSuccessfully",
  OpsRequestFailed: "OpsRequestFailed",
  /** timeoutSeconds passed before the operation finished. */
  Timeout: "Timeout",
  Canceling: "Canceling",
  CancelSucceed: "CancelSucceed",
  CancelFailed: "CancelFailed",
} as const;

/** The condition KubeBlocks sets when an operation of each type starts. */
export const StartedConditions: Record<OpsType, { type: string; reason: string }> = {
  [OpsTypes.Restart]: { type: "Restarting", reason: "RestartStarted" },
  [OpsTypes.HorizontalScaling]: { type: "HorizontalScaling", reason: "HorizontalScalingStarted" },
  [OpsTypes.VerticalScaling]: { type: "VerticalScaling", reason: "VerticalScalingStarted" },
  [OpsTypes.Switchover]: { type: "Switchover", reason: "SwitchoverStarted" },
  [OpsTypes.Stop]: { type: "Stopping", reason: "StopStarted" },
  [OpsTypes.Start]: { type: "Starting", reason: "StartCluster" },
};

/** The role a Switchover moves: the replica the instance controller reports as `leader`. */
export const LEADER_ROLE = "leader";

/** Progress details' statuses (KubeBlocks' `progressDetails[].status`). */
export const ProgressStatuses = {
  Pending: "Pending",
  Processing: "Processing",
  Succeed: "Succeed",
  Failed: "Failed",
} as const;
export type ProgressStatus = (typeof ProgressStatuses)[keyof typeof ProgressStatuses];
