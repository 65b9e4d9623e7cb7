import type { KubeObject, ResourceId } from "@atoll/kube";
import type { TaintEffect } from "../cluster/member-cluster.ts";

export const POLICY_GROUP = "policy.atoll.io";
export const POLICY_VERSION = "v1alpha1";

export const PROPAGATION_POLICIES: ResourceId = {
  group: POLICY_GROUP,
  version: POLICY_VERSION,
  resource: "propagationpolicies",
  kind: "PropagationPolicy",
  namespaced: true,
};

export const CLUSTER_PROPAGATION_POLICIES: ResourceId = {
  group: POLICY_GROUP,
  version: POLICY_VERSION,
  resource: "clusterpropagationpolicies",
  kind: "ClusterPropagationPolicy",
  namespaced: false,
};

export type LabelSelectorRequirement = {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: string[];
};

/** metav1.LabelSelector: every matchLabels pair and every expression must hold; empty matches everything. */
export type LabelSelector = {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
};

/** A MemberCluster spec field a placement can select on. */
export type ClusterField = "provider" | "region" | "zone";

export type FieldSelectorRequirement = { key: ClusterField; operator: "In" | "NotIn"; values: string[] };

/** Selects members by spec.provider, spec.region and spec.zone; all expressions must hold. */
export type FieldSelector = { matchExpressions?: FieldSelectorRequirement[] };

/**
 * Selects resource templates at the hub. `name` picks one object (and wins
 * over `labelSelector`); without either, every object of the kind matches.
 * `namespace` defaults to the policy's own namespace for PropagationPolicy.
 */
export type ResourceSelector = {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name?: string;
  labelSelector?: LabelSelector;
};

/**
 * A set of member clusters: those named in `clusterNames` (all, when absent)
 * that match both selectors, minus those in `exclude`.
 */
export type ClusterAffinity = {
  clusterNames?: string[];
  exclude?: string[];
  labelSelector?: LabelSelector;
  fieldSelector?: FieldSelector;
};

/** One named group of `placement.clusterAffinities`, tried in order until one fits. */
export type ClusterAffinityTerm = ClusterAffinity & { affinityName: string };

/** core/v1 Toleration, matched against MemberCluster spec.taints. An empty operator means Equal. */
export type ClusterToleration = {
  key?: string;
  operator?: "Equal" | "Exists";
  value?: string;
  effect?: TaintEffect;
  /** For NoExecute: how long the workload stays on a tainted member before it is evicted. */
  tolerationSeconds?: number;
};

export type SpreadByField = "cluster" | "region" | "zone" | "provider";

/** Spread across groups of members: by a MemberCluster field or by a label key (not both; cluster when neither). */
export type SpreadConstraint = {
  spreadByField?: SpreadByField;
  spreadByLabel?: string;
  maxGroups?: number;
  /** Defaults to 1 when unset. */
  minGroups?: number;
};

export type StaticClusterWeight = { targetCluster: ClusterAffinity; weight: number };

export type ClusterPreferences = {
  staticWeightList?: StaticClusterWeight[];
  /** When set, staticWeightList is ignored: weights follow each member's room for more replicas. */
  dynamicWeight?: "AvailableReplicas";
};

/**
 * How a workload's spec.replicas are placed: the same count in every member
 * (Duplicated), or split across members (Divided) by weight or packed into as
 * few members as fit (Aggregated). A placement without replicaScheduling
 * duplicates.
 */
export type ReplicaScheduling = {
  /** Defaulted to Divided by the API server when replicaScheduling is present. */
  replicaSchedulingType?: "Duplicated" | "Divided";
  /** For Divided; Weighted when unset. */
  replicaDivisionPreference?: "Aggregated" | "Weighted";
  /** Without it, Weighted gives every member the same weight. */
  weightPreference?: ClusterPreferences;
};

/** Where resources go. Without clusterAffinity or clusterAffinities every member is a candidate. */
export type Placement = {
  clusterAffinity?: ClusterAffinity;
  clusterAffinities?: ClusterAffinityTerm[];
  clusterTolerations?: ClusterToleration[];
  spreadConstraints?: SpreadConstraint[];
  replicaScheduling?: ReplicaScheduling;
};

export type ConflictResolution = "Abort" | "Overwrite";
export type PurgeMode = "Immediately" | "Graciously" | "Never";

/** Moving an application away from a member where it stays unhealthy. */
export type ApplicationFailover = {
  /** tolerationSeconds (default 300): how long it must be unhealthy before it moves. */
  decisionConditions: { tolerationSeconds?: number };
  /** What happens to the old copy; defaults to Graciously. */
  purgeMode?: PurgeMode;
  /** With Graciously: the longest the old copy stays while the new one becomes healthy. */
  gracePeriodSeconds?: number;
};

/** Failover is off unless set. */
export type FailoverBehavior = { application?: ApplicationFailover };

export type PropagationSpec = {
  /** At least one; an empty list never means "everything", so Secrets are not propagated by accident. */
  resourceSelectors: ResourceSelector[];
  placement?: Placement;
  /** Higher wins when several policies match a template; defaults to 0. */
  priority?: number;
  /** Always: take templates already claimed by lower-priority policies; defaults to Never. */
  preemption?: "Always" | "Never";
  /** ConfigMaps, Secrets, ServiceAccounts and PVCs the workload references follow it. */
  propagateDeps?: boolean;
  /** When the object already exists in a member and Atoll did not create it; defaults to Abort. */
  conflictResolution?: ConflictResolution;
  /** Leave propagated objects in members when the template is deleted. */
  preserveResourcesOnDeletion?: boolean;
  failover?: FailoverBehavior;
};

export type PropagationPolicy = KubeObject & { spec: PropagationSpec };
export type ClusterPropagationPolicy = KubeObject & { spec: PropagationSpec };
