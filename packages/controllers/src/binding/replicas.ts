import type { Placement } from "@atoll/api";
import type { KubeObject } from "@atoll/kube";
import { isRecord } from "@atoll/kube";
import { splitApiVersion } from "../propagation/resource-mapper.ts";

/**
 * On a resource template: something in each member (an autoscaler) owns the
 * replica count, so members' copies carry no spec.replicas at all and the
 * hub never fights it. Value "true".
 */
export const RETAIN_REPLICAS_LABEL = "resourcetemplate.atoll.io/retain-replicas";

/** Where each workload kind keeps the count a Divided placement splits. */
const REPLICA_FIELDS: Record<string, string> = {
  "apps/Deployment": "replicas",
  "apps/StatefulSet": "replicas",
  "apps/ReplicaSet": "replicas",
  "batch/Job": "parallelism",
};

/** Whether replicas are split between members; replicaSchedulingType defaults to Divided once replicaScheduling is set. */
export function isDivided(placement: Placement | undefined): boolean {
  const scheduling = placement?.replicaScheduling;
  return scheduling !== undefined && (scheduling.replicaSchedulingType ?? "Divided") === "Divided";
}

export type ReplicaRevision = {
  /** Split between members (Divided) rather than copied (Duplicated). */
  divided: boolean;
  /** The member's share from spec.clusters; undefined leaves the template's count. */
  share: number | undefined;
};

/**
 * Sets a member copy's replica count in place: its share of a Divided
 * placement (spec.replicas, or spec.parallelism for a Job); with the
 * retain-replicas label, no spec.replicas at all. Other kinds are untouched.
 * Only a top-level field of spec is set or deleted, so a copy sharing all but
 * its spec object with the template is enough. Returns whether it changed.
 */
export function reviseReplicas(copy: KubeObject, revision: ReplicaRevision): boolean {
  const field = REPLICA_FIELDS[`${splitApiVersion(copy.apiVersion ?? "").group}/${copy.kind}`];
  if (!field || !isRecord(copy.spec)) return false;
  if (copy.metadata.labels?.[RETAIN_REPLICAS_LABEL] === "true" && field === "replicas") {
    if (!("replicas" in copy.spec)) return false;
    delete copy.spec.replicas;
    return true;
  }
  if (!revision.divided || revision.share === undefined || copy.spec[field] === revision.share) return false;
  copy.spec[field] = revision.share;
  return true;
}
