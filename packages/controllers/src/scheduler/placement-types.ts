/**
 * The slice of a propagation policy the scheduler reads. Field names follow
 * Karmada's `policy/v1alpha1` Placement so these types can be swapped for the
 * API package's own once it exists; nothing here is validated beyond what the
 * scheduler needs to decide.
 */
import type { TaintEffect } from "@atoll/api";

/** Kubernetes label selector operators. */
export type LabelSelectorOperator = "In" | "NotIn" | "Exists" | "DoesNotExist";

/** A Kubernetes label selector over the member's labels. */
export type LabelSelector = {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: LabelSelectorOperator; values?: string[] }>;
};

/** The MemberCluster spec fields a field selector or spread constraint can name. */
export type ClusterField = "provider" | "region" | "zone";

/** Karmada's field selector: requirements on the member's provider, region and zone. */
export type FieldSelector = {
  matchExpressions?: Array<{ key: ClusterField; operator: "In" | "NotIn"; values?: string[] }>;
};

/** Every set part must match (AND); an empty affinity matches every member. */
export type ClusterAffinity = {
  clusterNames?: string[];
  /** Never these members, whatever else matches. */
  exclude?: string[];
  labelSelector?: LabelSelector;
  fieldSelector?: FieldSelector;
};

/** One group of ordered `clusterAffinities`: tried in order until one schedules. */
export type ClusterAffinityTerm = ClusterAffinity & { affinityName: string };

/** As a pod toleration: `operator` defaults to Equal; an empty `effect` matches every effect. */
export type ClusterToleration = {
  key?: string;
  operator?: "Equal" | "Exists";
  value?: string;
  effect?: TaintEffect;
  /** For NoExecute only: tolerated until the taint's `timeAdded` plus this many seconds. */
  tolerationSeconds?: number;
};

/** What a spread constraint groups members by. */
export type SpreadByField = "cluster" | ClusterField;

/** Exactly one of `spreadByField` and `spreadByLabel`. `minGroups` defaults to 1, `maxGroups` to no limit. */
export type SpreadConstraint = {
  spreadByField?: SpreadByField;
  spreadByLabel?: string;
  maxGroups?: number;
  minGroups?: number;
};

/** Members matching `targetCluster` weigh `weight` (the largest, when several rules match). */
export type StaticClusterWeight = { targetCluster: ClusterAffinity; weight: number };

/** How replicas are spread over the selected members. */
export type ReplicaSchedulingStrategy = {
  /** Defaults to Duplicated. */
  replicaSchedulingType?: "Duplicated" | "Divided";
  /** For Divided; defaults to Weighted. */
  replicaDivisionPreference?: "Aggregated" | "Weighted";
  /** For Weighted; without it every selected member weighs 1. */
  weightPreference?: {
    staticWeightList?: StaticClusterWeight[];
    dynamicWeight?: "AvailableReplicas";
  };
};

/** Where an object may go and how its replicas divide. */
export type Placement = {
  clusterAffinity?: ClusterAffinity;
  /** Used instead of `clusterAffinity` when non-empty. */
  clusterAffinities?: ClusterAffinityTerm[];
  clusterTolerations?: ClusterToleration[];
  spreadConstraints?: SpreadConstraint[];
  replicaScheduling?: ReplicaSchedulingStrategy;
};
