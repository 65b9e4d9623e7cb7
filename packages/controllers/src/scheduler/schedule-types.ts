import type { MemberCluster } from "@atoll/api";
import type { Placement } from "./placement-types.ts";

/** One member and the replicas placed on it (0 for objects without replicas). */
export type TargetCluster = { name: string; replicas: number };

/** The kind of object being placed; `group` is "" for the core group. */
export type GroupVersionKind = { group: string; version: string; kind: string };

/** Per-replica resource requests; with them, weighted division never exceeds a member's capacity. */
export type ReplicaRequirements = { cpu?: string; memory?: string };

/** Everything one scheduling decision reads. The scheduler does no I/O and reads no clock. */
export type ScheduleInput = {
  placement: Placement;
  /** Desired replicas; 0 for objects without replicas ("just propagate"). */
  replicas: number;
  replicaRequirements?: ReplicaRequirements;
  gvk: GroupVersionKind;
  clusters: MemberCluster[];
  /** The last result. Members in it keep their replicas where still valid (stability). */
  previous?: TargetCluster[];
  now: Date;
  /** Members the binding was evicted from: they are not candidates and their replicas move. */
  evictedFrom?: string[];
  /** The `clusterAffinities` group the last result came from; trying starts there, as Karmada does. */
  observedAffinityName?: string;
};

/** Why nothing could be placed. Code branches on this, never on the message. */
export type FitErrorReason =
  /** No member passed the filters. */
  | "NoFeasibleCluster"
  /** Members passed the filters but no choice satisfies the spread constraints. */
  | "SpreadConstraintUnsatisfied"
  /** The chosen members cannot hold the replicas. */
  | "InsufficientCapacity"
  /** The placement cannot be scheduled as written (e.g. maxGroups < minGroups). */
  | "InvalidPlacement";

/** Karmada's fit error: a summary and, for every member that was turned down, why. */
export type FitError = {
  reason: FitErrorReason;
  /** E.g. `0/5 clusters are available: 1 cluster is disabled, 2 cluster(s) had untolerated taint {…}.` */
  message: string;
  /** Every member (by name) with the reasons it was not used; members that fit but were not chosen say so. */
  members: Array<{ name: string; reasons: string[] }>;
  /** The last `clusterAffinities` group tried. */
  affinityName?: string;
};

export type ScheduleSuccess = {
  /** Sorted by name; members with 0 replicas are left out unless `replicas` is 0. */
  clusters: TargetCluster[];
  /** The `clusterAffinities` group that scheduled. */
  affinityName?: string;
  /** When a toleration with tolerationSeconds on a chosen member runs out: schedule again then. */
  nextChangeAt?: Date;
};

export type ScheduleResult = ScheduleSuccess | { error: FitError };
