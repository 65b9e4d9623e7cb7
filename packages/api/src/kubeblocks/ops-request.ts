import type { KubeObject, ResourceId } from "@atoll/kube";
import type { Condition } from "../cluster/member-cluster.ts";
import type { ComputeResources } from "./cluster.ts";
import { KUBEBLOCKS_GROUP, KUBEBLOCKS_VERSION } from "./kubeblocks-names.ts";

/** A one-off operation on a Cluster (KubeBlocks' OpsRequest). */
export const OPS_REQUESTS: ResourceId = {
  group: KUBEBLOCKS_GROUP,
  version: KUBEBLOCKS_VERSION,
  resource: "opsrequests",
  kind: "OpsRequest",
  namespaced: true,
};

/** The operations Atoll performs; KubeBlocks' others (VolumeExpansion, Backup…) are rejected at admission. */
export const OpsTypes = {
  Restart: "Restart",
  HorizontalScaling: "HorizontalScaling",
  VerticalScaling: "VerticalScaling",
  Switchover: "Switchover",
  Stop: "Stop",
  Start: "Start",
} as const;
export type OpsType = (typeof OpsTypes)[keyof typeof OpsTypes];

export const OpsPhases = {
  Pending: "Pending",
  Creating: "Creating",
  Running: "Running",
  Cancelling: "Cancelling",
  Cancelled: "Cancelled",
  Aborted: "Aborted",
  Failed: "Failed",
  Succeed: "Succeed",
} as const;
export type OpsPhase = (typeof OpsPhases)[keyof typeof OpsPhases];

export type ComponentOps = { componentName: string };

export type HorizontalScaling = ComponentOps & {
  /** The component's new replica count (KubeBlocks 0.9 deprecates it for scaleOut/scaleIn, which Atoll keeps but does not read). */
  replicas?: number;
  scaleOut?: Record<string, unknown>;
  scaleIn?: Record<string, unknown>;
};

/** KubeBlocks inlines core/v1 ResourceRequirements here: `requests` and `limits` sit beside componentName. */
export type VerticalScaling = ComponentOps & { requests?: ComputeResources; limits?: ComputeResources };

export type Switchover = ComponentOps & {
  /** The pod to make leader, or "*" for any other replica. */
  instanceName: string;
};

export type OpsRequestSpec = {
  /** The Cluster, in the OpsRequest's namespace. */
  clusterName?: string;
  /** KubeBlocks before 0.9 named the Cluster here; read when clusterName is absent. */
  clusterRef?: string;
  type: OpsType;
  cancel?: boolean;
  force?: boolean;
  ttlSecondsAfterSucceed?: number;
  restart?: ComponentOps[];
  horizontalScaling?: HorizontalScaling[];
  verticalScaling?: VerticalScaling[];
  switchover?: Switchover[];
  [field: string]: unknown;
};

export type OpsRequestComponentStatus = {
  phase?: string;
  reason?: string;
  message?: string;
  [field: string]: unknown;
};

export type OpsRequestStatus = {
  clusterGeneration?: number;
  phase?: OpsPhase;
  /** "done/total", or "-/-" before it is known. */
  progress?: string;
  components?: Record<string, OpsRequestComponentStatus>;
  startTimestamp?: string;
  completionTimestamp?: string;
  cancelTimestamp?: string;
  conditions?: Condition[];
};

export type OpsRequest = KubeObject & { spec: OpsRequestSpec; status?: OpsRequestStatus };

/** The name of the Cluster an OpsRequest targets: clusterName, or the pre-0.9 clusterRef. */
export function opsClusterName(spec: OpsRequestSpec): string {
  return spec.clusterName || spec.clusterRef || "";
}
