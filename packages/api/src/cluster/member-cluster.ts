import type { KubeObject, ResourceId } from "@atoll/kube";

export const CLUSTER_GROUP = "cluster.atoll.io";
export const CLUSTER_VERSION = "v1alpha1";

export const MEMBER_CLUSTERS: ResourceId = {
  group: CLUSTER_GROUP,
  version: CLUSTER_VERSION,
  resource: "memberclusters",
  kind: "MemberCluster",
  namespaced: false,
};

export type TaintEffect = "NoSchedule" | "PreferNoSchedule" | "NoExecute";
export type Taint = { key: string; value?: string; effect: TaintEffect; timeAdded?: string };

export type Condition = {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
};

export type MemberClusterSpec = {
  /** Where the member's kubeconfig is: a Secret (type kubernetes.kubeconfig) in the hub. */
  kubeconfig: { secretRef: { namespace: string; name: string }; key?: string; context?: string };
  region?: string;
  zone?: string;
  provider?: string;
  taints?: Taint[];
  /** Cordoned: nothing new is placed here. */
  unschedulable?: boolean;
  /** No writes at all; the last known state is shown as stale. */
  disabled?: boolean;
};

export type ResourceList = { cpu?: string; memory?: string; pods?: string };

export type MemberClusterStatus = {
  conditions?: Condition[];
  /** The member API server's URL, from its kubeconfig. */
  apiEndpoint?: string;
  kubernetesVersion?: string;
  apiEnablements?: Array<{ groupVersion: string; resources: Array<{ name: string; kind: string }> }>;
  nodeSummary?: { totalNum: number; readyNum: number };
  resourceSummary?: { allocatable?: ResourceList; allocated?: ResourceList };
  probe?: { latencyMs?: number; lastProbeTime?: string; lastSuccessTime?: string };
};

export type MemberCluster = KubeObject & { spec: MemberClusterSpec; status?: MemberClusterStatus };

/** Condition types on a MemberCluster. */
export const MemberConditions = {
  /** The hub could read the kubeconfig, reach the member and install what it needs. */
  Joined: "Joined",
  /** The member's API server answers /readyz (Unknown after the grace period without an answer). */
  Ready: "Ready",
} as const;
