import type { KubeObject, ResourceId } from "@atoll/kube";
import type { Condition } from "../cluster/member-cluster.ts";
import type { ConflictResolution, FailoverBehavior, Placement } from "../policy/propagation-policy.ts";

export const WORK_GROUP = "work.atoll.io";
export const WORK_VERSION = "v1alpha1";

export const RESOURCE_BINDINGS: ResourceId = {
  group: WORK_GROUP,
  version: WORK_VERSION,
  resource: "resourcebindings",
  kind: "ResourceBinding",
  namespaced: true,
};

export const CLUSTER_RESOURCE_BINDINGS: ResourceId = {
  group: WORK_GROUP,
  version: WORK_VERSION,
  resource: "clusterresourcebindings",
  kind: "ClusterResourceBinding",
  namespaced: false,
};

/** The resource template a binding is for. No namespace means a cluster-scoped template. */
export type ObjectReference = {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
  resourceVersion?: string;
};

/** What one replica needs; quantities as in a pod's resources.requests. */
export type ReplicaRequirements = { resourceRequest?: Record<string, string | number> };

/** One member chosen by the scheduler, with its share of the replicas. */
export type TargetCluster = { name: string; replicas?: number };

/**
 * A member being left gracefully: the copy there stays until the replacement
 * is healthy or the grace period ends (unless suppressDeletion holds it).
 */
export type GracefulEvictionTask = {
  fromCluster: string;
  replicas?: number;
  /** CamelCase, e.g. TaintUntolerated or ApplicationFailure. */
  reason: string;
  message?: string;
  /** The controller that asked for the eviction. */
  producer: string;
  gracePeriodSeconds?: number;
  suppressDeletion?: boolean;
  creationTimestamp?: string;
};

export type ResourceBindingSpec = {
  resource: ObjectReference;
  /** The template's spec.replicas; 0 for kinds without replicas. */
  replicas?: number;
  replicaRequirements?: ReplicaRequirements;
  /** The scheduling result. */
  clusters?: TargetCluster[];
  /** Copied from the policy that claimed the template. */
  placement?: Placement;
  conflictResolution?: ConflictResolution;
  propagateDeps?: boolean;
  preserveResourcesOnDeletion?: boolean;
  gracefulEvictionTasks?: GracefulEvictionTask[];
  failover?: FailoverBehavior;
};

export type ResourceHealth = "Healthy" | "Unhealthy" | "Unknown";

/** The template's state in one member, as the status controller last saw it. */
export type AggregatedStatusItem = {
  clusterName: string;
  /** The member object's .status, as is. */
  status?: Record<string, unknown>;
  applied?: boolean;
  /** Why applying failed, when it did. */
  appliedMessage?: string;
  health?: ResourceHealth;
};

export type ResourceBindingStatus = {
  /** The metadata.generation the last scheduling decision was made for. */
  schedulerObservedGeneration?: number;
  /** The clusterAffinities term the current clusters were chosen from. */
  schedulerObservedAffinityName?: string;
  lastScheduledTime?: string;
  conditions?: Condition[];
  aggregatedStatus?: AggregatedStatusItem[];
};

export type ResourceBinding = KubeObject & { spec: ResourceBindingSpec; status?: ResourceBindingStatus };
export type ClusterResourceBinding = ResourceBinding;

/** Condition types on a (Cluster)ResourceBinding. */
export const BindingConditions = {
  /** The scheduler placed the resource (True) or could not (False, with per-member reasons in the message). */
  Scheduled: "Scheduled",
  /** Every Work of the binding was applied in its member. */
  FullyApplied: "FullyApplied",
} as const;

/** Reasons of the Scheduled condition. */
export const ScheduledReasons = {
  Success: "Success",
  /** No member passed the filters; the message says, per member, which filter rejected it. */
  NoClusterFit: "NoClusterFit",
  /** Scheduling failed for another reason (an API error, an invalid placement). */
  SchedulerError: "SchedulerError",
} as const;

/** Reasons of the FullyApplied condition. */
export const FullyAppliedReasons = {
  Success: "FullyAppliedSuccess",
  Failed: "FullyAppliedFailed",
} as const;
