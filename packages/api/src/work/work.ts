import type { KubeObject, ResourceId } from "@atoll/kube";
import type { Condition } from "../cluster/member-cluster.ts";
import type { ConflictResolution } from "../policy/propagation-policy.ts";
import { type ResourceHealth, WORK_GROUP, WORK_VERSION } from "./resource-binding.ts";

/** Works live in the execution namespace of their member (`atoll-es-<member>`, see executionNamespace). */
export const WORKS: ResourceId = {
  group: WORK_GROUP,
  version: WORK_VERSION,
  resource: "works",
  kind: "Work",
  namespaced: true,
};

export type WorkSpec = {
  /** The objects to apply in the member, rendered with overrides. */
  workload: { manifests?: KubeObject[] };
  /** Stop applying to the member; what is there stays as it is. */
  suspendDispatching?: boolean;
  /** Leave the objects in the member when the Work is deleted. */
  preserveResourcesOnDeletion?: boolean;
  /** When an object already exists in the member and Atoll did not create it; defaults to Abort. */
  conflictResolution?: ConflictResolution;
};

/** Which manifest a status is for: its index in spec.workload.manifests and its identity. */
export type ResourceIdentifier = {
  ordinal: number;
  /** "" for the core group. */
  group?: string;
  version: string;
  kind: string;
  resource: string;
  namespace?: string;
  name: string;
};

export type ManifestStatus = {
  identifier: ResourceIdentifier;
  /** The member object's .status, as is. */
  status?: Record<string, unknown>;
  health?: ResourceHealth;
};

export type WorkStatus = { conditions?: Condition[]; manifestStatuses?: ManifestStatus[] };

export type Work = KubeObject & { spec: WorkSpec; status?: WorkStatus };

/** Condition types on a Work. */
export const WorkConditions = {
  /** Every manifest was applied in the member. */
  Applied: "Applied",
  /** Every manifest exists in the member. */
  Available: "Available",
} as const;

/** Reasons of the Applied condition. */
export const AppliedReasons = {
  Success: "AppliedSuccessful",
  Failed: "AppliedFailed",
  /** An object exists in the member, Atoll did not create it, and conflictResolution is Abort. */
  Conflict: "ConflictAborted",
} as const;
