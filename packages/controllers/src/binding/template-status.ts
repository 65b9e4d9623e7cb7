import type { Condition } from "@atoll/api";
import type { KubeObject } from "@atoll/kube";
import { isRecord, jsonEqual } from "@atoll/kube";
import { splitApiVersion } from "../propagation/resource-mapper.ts";
import { type ConditionState, mergeConditions, sameConditions } from "./conditions.ts";

/** The template's status in one member, as its Work reports it. */
export type MemberStatus = {
  member: string;
  status: Record<string, unknown> | undefined;
  /** The member's status is for the template's current spec (see BindingController). */
  current: boolean;
};

/** Owned status fields of the hub template to write: a value to set, null to remove. */
export type StatusFields = Record<string, unknown>;

type Counter = { field: string; keepZero?: boolean };

/**
 * Counters summed over members per kind. Kubernetes omits most of them when
 * zero; those it always writes keep their zero.
 */
const COUNTERS: Record<string, Counter[]> = {
  "apps/Deployment": [
    { field: "replicas" },
    { field: "readyReplicas" },
    { field: "availableReplicas" },
    { field: "updatedReplicas" },
    { field: "unavailableReplicas" },
  ],
  "apps/StatefulSet": [
    { field: "replicas", keepZero: true },
    { field: "readyReplicas" },
    { field: "currentReplicas" },
    { field: "updatedReplicas" },
    { field: "availableReplicas" },
  ],
  "apps/ReplicaSet": [
    { field: "replicas", keepZero: true },
    { field: "readyReplicas" },
    { field: "availableReplicas" },
    { field: "fullyLabeledReplicas" },
  ],
  "apps/DaemonSet": [
    { field: "currentNumberScheduled", keepZero: true },
    { field: "desiredNumberScheduled", keepZero: true },
    { field: "numberReady", keepZero: true },
    { field: "numberMisscheduled", keepZero: true },
    { field: "numberAvailable" },
    { field: "updatedNumberScheduled" },
  ],
  "batch/Job": [{ field: "active" }, { field: "succeeded" }, { field: "failed" }],
};

/**
 * The hub template's status fields summed from its members' copies: the
 * hub runs no workload controllers, so this is the status users read there.
 * Deployment, StatefulSet, ReplicaSet and DaemonSet: counters, and
 * observedGeneration once every member is current; Deployment also
 * Available (availableReplicas ≥ spec.replicas). Job: counters, Complete
 * when every member's Job is, Failed when any member's is. A LoadBalancer
 * Service: the union of its members' ingress points. Undefined for any other
 * kind, or when nothing would change.
 */
export function templateStatusUpdate(
  template: KubeObject,
  members: readonly MemberStatus[],
  now: Date,
): StatusFields | undefined {
  const kind = `${splitApiVersion(template.apiVersion ?? "").group}/${template.kind}`;
  const existing = isRecord(template.status) ? template.status : {};
  let fields: StatusFields;
  if (kind === "/Service") {
    fields = loadBalancerFields(template, members);
  } else {
    const counters = COUNTERS[kind];
    if (!counters) return undefined;
    fields = sumCounters(counters, members);
    if (kind === "batch/Job") {
      fields.conditions = jobConditions(existing, members, now);
    } else if (members.every((m) => m.current) && template.metadata.generation !== undefined) {
      fields.observedGeneration = template.metadata.generation;
    }
    if (kind === "apps/Deployment") fields.conditions = deploymentConditions(template, fields, now);
  }
  return changes(existing, fields) ? fields : undefined;
}

function sumCounters(counters: readonly Counter[], members: readonly MemberStatus[]): StatusFields {
  const fields: StatusFields = {};
  for (const { field, keepZero } of counters) {
    const sum = members.reduce((total, m) => total + numberAt(m.status, field), 0);
    fields[field] = sum === 0 && !keepZero ? null : sum;
  }
  return fields;
}

function deploymentConditions(template: KubeObject, fields: StatusFields, now: Date): Condition[] {
  const spec = isRecord(template.spec) ? template.spec : {};
  const wanted = typeof spec.replicas === "number" ? spec.replicas : 1;
  const available = typeof fields.availableReplicas === "number" ? fields.availableReplicas : 0;
  const state: ConditionState =
    available >= wanted
      ? {
          type: "Available",
          status: "True",
          reason: "MinimumReplicasAvailable",
          message: "Deployment has minimum availability.",
        }
      : {
          type: "Available",
          status: "False",
          reason: "MinimumReplicasUnavailable",
          message: "Deployment does not have minimum availability.",
        };
  return mergeConditions(conditionsOf(template.status), [state], [], now);
}

function jobConditions(
  existing: Record<string, unknown>,
  members: readonly MemberStatus[],
  now: Date,
): Condition[] {
  const holds = (m: MemberStatus, type: string) =>
    conditionsOf(m.status).some((c) => c.type === type && c.status === "True");
  const complete = members.length > 0 && members.every((m) => holds(m, "Complete"));
  const failed = members.filter((m) => holds(m, "Failed")).map((m) => m.member);
  const set: ConditionState[] = [];
  if (complete) {
    set.push({
      type: "Complete",
      status: "True",
      reason: "Completed",
      message: "the Job completed in every member",
    });
  }
  if (failed.length > 0) {
    set.push({
      type: "Failed",
      status: "True",
      reason: "MemberJobFailed",
      message: `failed in ${failed.join(", ")}`,
    });
  }
  const remove = ["Complete", "Failed"].filter((type) => !set.some((s) => s.type === type));
  return mergeConditions(conditionsOf(existing), set, remove, now);
}

function loadBalancerFields(template: KubeObject, members: readonly MemberStatus[]): StatusFields {
  const spec = isRecord(template.spec) ? template.spec : {};
  if (spec.type !== "LoadBalancer") return {};
  const seen = new Set<string>();
  const ingress: unknown[] = [];
  for (const member of members) {
    const balancer = isRecord(member.status?.loadBalancer) ? member.status.loadBalancer : {};
    for (const point of Array.isArray(balancer.ingress) ? balancer.ingress.filter(isRecord) : []) {
      const key = JSON.stringify([point.ip ?? "", point.hostname ?? ""]);
      if (seen.has(key)) continue;
      seen.add(key);
      ingress.push(point);
    }
  }
  return { loadBalancer: ingress.length > 0 ? { ingress } : {} };
}

/** Whether writing `fields` would change `existing` (null and absent are the same). */
function changes(existing: Record<string, unknown>, fields: StatusFields): boolean {
  return Object.entries(fields).some(([field, value]) => {
    const old = existing[field];
    if (value === null || value === undefined) return old !== undefined && old !== null;
    if (field === "conditions") return !sameConditions(conditionsOf(existing), value as Condition[]);
    return !jsonEqual(old, value);
  });
}

function conditionsOf(status: unknown): Condition[] {
  return isRecord(status) && Array.isArray(status.conditions)
    ? (status.conditions.filter(isRecord) as Condition[])
    : [];
}

function numberAt(status: Record<string, unknown> | undefined, field: string): number {
  const value = status?.[field];
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}
