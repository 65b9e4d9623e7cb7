import type { KubeObject, ResourceId } from "@atoll/kube";
import type { Condition } from "../cluster/member-cluster.ts";
import { KUBEBLOCKS_GROUP, KUBEBLOCKS_VERSION } from "./kubeblocks-names.ts";

/** A database instance (KubeBlocks' Cluster), declared at the hub; its replicas run in members. */
export const KB_CLUSTERS: ResourceId = {
  group: KUBEBLOCKS_GROUP,
  version: KUBEBLOCKS_VERSION,
  resource: "clusters",
  kind: "Cluster",
  namespaced: true,
};

/** What deleting a Cluster does to what it owns. */
export const TerminationPolicies = {
  /** Deletion is refused. */
  DoNotTerminate: "DoNotTerminate",
  /** Workloads go; PVCs stay. */
  Halt: "Halt",
  /** Workloads and PVCs go. */
  Delete: "Delete",
  /** As Delete, and backups too. */
  WipeOut: "WipeOut",
} as const;
export type TerminationPolicy = (typeof TerminationPolicies)[keyof typeof TerminationPolicies];

export const ServiceTypes = {
  ClusterIP: "ClusterIP",
  NodePort: "NodePort",
  LoadBalancer: "LoadBalancer",
} as const;
export type ServiceType = (typeof ServiceTypes)[keyof typeof ServiceTypes];

/** Phases of a Cluster and of each of its components (KubeBlocks uses the same set for both). */
export const ClusterPhases = {
  Creating: "Creating",
  Running: "Running",
  Updating: "Updating",
  Stopping: "Stopping",
  Stopped: "Stopped",
  Deleting: "Deleting",
  Failed: "Failed",
  /** Serving, but some replicas are failed or unreachable. */
  Abnormal: "Abnormal",
} as const;
export type ClusterPhase = (typeof ClusterPhases)[keyof typeof ClusterPhases];

/** A replica's pod phase as the hub last saw it; Unknown when its member cannot be reached. */
export const ReplicaPhases = {
  Pending: "Pending",
  Running: "Running",
  Succeeded: "Succeeded",
  Failed: "Failed",
  Unknown: "Unknown",
} as const;
export type ReplicaPhase = (typeof ReplicaPhases)[keyof typeof ReplicaPhases];

/** A core/v1 ResourceList: resource name to quantity ("100m", "1Gi", 2). */
export type ComputeResources = Record<string, string | number>;
export type ResourceRequirements = { limits?: ComputeResources; requests?: ComputeResources };

export type ClusterComponentService = {
  /** Part of the Service name: `<cluster>-<component>-<name>`, plus the ordinal for pod services. */
  name: string;
  /** Defaults to ClusterIP. */
  serviceType?: ServiceType;
  /** Copied onto the Service; also where the multi-cluster-service-placement annotation goes. */
  annotations?: Record<string, string>;
  /** One Service per replica, selecting only that replica's pod. */
  podService?: boolean;
};

export type ClusterComponentVolumeClaimTemplate = {
  /** The volume name the ComponentDefinition's containers mount. */
  name: string;
  /** A PersistentVolumeClaim spec (accessModes, resources, storageClassName, volumeMode…), kept as sent. */
  spec?: Record<string, unknown>;
};

export type ClusterComponentSpec = {
  name: string;
  /** The ComponentDefinition's name. */
  componentDef: string;
  /** At least 0; defaults to 1. */
  replicas?: number;
  resources?: ResourceRequirements;
  volumeClaimTemplates?: ClusterComponentVolumeClaimTemplate[];
  services?: ClusterComponentService[];
  /** Stop the component: pods deleted, PVCs and services kept (KubeBlocks 0.9; OpsRequest Stop sets it). */
  stop?: boolean;
  /** Other KubeBlocks fields are accepted and kept, not read. */
  [field: string]: unknown;
};

export type ClusterSpec = {
  terminationPolicy: TerminationPolicy;
  componentSpecs?: ClusterComponentSpec[];
  [field: string]: unknown;
};

/** One replica of a component, where it runs and what it is doing: Atoll's addition to KubeBlocks' status. */
export type ReplicaStatus = {
  /** The pod's name, `<cluster>-<component>-<ordinal>`. */
  podName: string;
  /** The member cluster the replica is assigned to. */
  member?: string;
  /** The last role its role probe reported; absent until probed. */
  role?: string;
  phase?: ReplicaPhase;
  ready?: boolean;
  /** How peers reach it: its pod service's address (load-balancer, node or cluster IP) or pod IP. */
  address?: string;
  message?: string;
  /** Whether its pod was made from the component's current template; false while a restart or resize rolls. */
  upToDate?: boolean;
};

export type ClusterComponentStatus = {
  phase?: ClusterPhase;
  /** KubeBlocks' shape: object key (`Pod/<name>`) to message. */
  message?: Record<string, string>;
  podsReady?: boolean;
  podsReadyTime?: string;
  replicas?: ReplicaStatus[];
};

export type ClusterStatus = {
  observedGeneration?: number;
  phase?: ClusterPhase;
  message?: string;
  /** Component name to its status. */
  components?: Record<string, ClusterComponentStatus>;
  conditions?: Condition[];
};

export type Cluster = KubeObject & { spec: ClusterSpec; status?: ClusterStatus };
