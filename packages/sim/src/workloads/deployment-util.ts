import type { KubeObject } from "@atoll/kube";
import { cloneJson } from "@atoll/kube";
import { scaledValue } from "./int-or-percent.ts";
import { canonicalJson } from "./template-hash.ts";
import { WorkloadAnnotations, WorkloadLabels } from "./well-known.ts";
import {
  type Condition,
  intOr,
  type LabelSelector,
  type PodTemplate,
  specOf,
  statusOf,
} from "./workload-types.ts";

/** The Deployment spec fields the controller reads; unset ones take the API server's defaults. */
export type DeploymentSpec = {
  replicas?: number;
  selector?: LabelSelector;
  template?: PodTemplate;
  strategy?: {
    type?: string;
    rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string };
  };
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  paused?: boolean;
  progressDeadlineSeconds?: number;
};

/** A Deployment status as the controller writes it (zero counters are omitted on write). */
export type DeploymentStatus = {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: Condition[];
  collisionCount?: number;
};

/** The ReplicaSet spec fields the Deployment and ReplicaSet controllers read. */
export type ReplicaSetSpec = {
  replicas?: number;
  minReadySeconds?: number;
  selector?: LabelSelector;
  template?: PodTemplate;
};

/** The ReplicaSet status fields the Deployment controller reads. */
export type ReplicaSetStatus = {
  replicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: Condition[];
};

/** Kubernetes' "no deadline": progressDeadlineSeconds of MaxInt32. */
const NO_DEADLINE = 2_147_483_647;

/** Accessors with Kubernetes' defaults: replicas 1 when unset. */
export const deploymentSpec = (d: KubeObject) => specOf<DeploymentSpec>(d);
export const deploymentStatus = (d: KubeObject) => statusOf<DeploymentStatus>(d);
export const desiredReplicas = (d: KubeObject) => intOr(deploymentSpec(d).replicas, 1);
export const rsSpecReplicas = (rs: KubeObject) => intOr(specOf<ReplicaSetSpec>(rs).replicas, 1);
export const rsStatus = (rs: KubeObject) => statusOf<ReplicaSetStatus>(rs);

/** RollingUpdate unless the strategy says Recreate (the default type is RollingUpdate). */
export function isRollingUpdate(d: KubeObject): boolean {
  return deploymentSpec(d).strategy?.type !== "Recreate";
}

/** `progressDeadlineSeconds`, or undefined when there is none (unset is 600, as the API server defaults it). */
export function progressDeadlineSeconds(d: KubeObject): number | undefined {
  const value = intOr(deploymentSpec(d).progressDeadlineSeconds, 600);
  return value === NO_DEADLINE ? undefined : value;
}

/**
 * maxSurge (rounded up) and maxUnavailable (rounded down) against the desired
 * replicas, as `ResolveFenceposts`; when both come to 0, maxUnavailable is 1.
 */
function resolveFenceposts(d: KubeObject): { surge: number; unavailable: number } {
  const rolling = deploymentSpec(d).strategy?.rollingUpdate ?? {};
  const desired = desiredReplicas(d);
  const surge = scaledValue(rolling.maxSurge ?? "25%", desired, { roundUp: true });
  const unavailable = scaledValue(rolling.maxUnavailable ?? "25%", desired, { roundUp: false });
  return surge === 0 && unavailable === 0 ? { surge, unavailable: 1 } : { surge, unavailable };
}

/** Resolved maxSurge (default 25%, rounded up); 0 for Recreate. */
export function maxSurge(d: KubeObject): number {
  return isRollingUpdate(d) ? resolveFenceposts(d).surge : 0;
}

/** Resolved maxUnavailable (default 25%, rounded down, at most the replicas); 0 for Recreate or 0 replicas. */
export function maxUnavailable(d: KubeObject): number {
  const desired = desiredReplicas(d);
  if (!isRollingUpdate(d) || desired === 0) return 0;
  return Math.min(resolveFenceposts(d).unavailable, desired);
}

/** The `deployment.kubernetes.io/revision` annotation as a number (0 when missing or malformed). */
export function revisionOf(object: KubeObject): number {
  const value = Number(object.metadata.annotations?.[WorkloadAnnotations.revision] ?? "0");
  return Number.isInteger(value) ? value : 0;
}

/** The highest revision among the ReplicaSets (0 for none). */
export function maxRevision(replicaSets: KubeObject[]): number {
  return replicaSets.reduce((max, rs) => Math.max(max, revisionOf(rs)), 0);
}

function time(object: KubeObject): number {
  return Date.parse(object.metadata.creationTimestamp ?? "") || 0;
}

/** Oldest first, names breaking ties (`ReplicaSetsByCreationTimestamp`). */
export function byCreation(a: KubeObject, b: KubeObject): number {
  return time(a) - time(b) || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");
}

function withoutHash(template: PodTemplate | undefined): PodTemplate {
  const copy = cloneJson(template ?? {});
  if (copy.metadata?.labels) delete copy.metadata.labels[WorkloadLabels.podTemplateHash];
  return copy;
}

/** Whether two pod templates are equal apart from the `pod-template-hash` label and null fields (`EqualIgnoreHash`). */
export function equalIgnoreHash(a: PodTemplate | undefined, b: PodTemplate | undefined): boolean {
  return canonicalJson(withoutHash(a)) === canonicalJson(withoutHash(b));
}

/** The oldest ReplicaSet whose template is the Deployment's. */
export function findNewReplicaSet(d: KubeObject, replicaSets: KubeObject[]): KubeObject | undefined {
  const template = deploymentSpec(d).template;
  return [...replicaSets]
    .sort(byCreation)
    .find((rs) => equalIgnoreHash(specOf<ReplicaSetSpec>(rs).template, template));
}

/** ReplicaSets sized above zero (`FilterActiveReplicaSets`). */
export const filterActive = (replicaSets: Array<KubeObject | undefined>): KubeObject[] =>
  replicaSets.filter((rs): rs is KubeObject => rs !== undefined && rsSpecReplicas(rs) > 0);

const present = (replicaSets: Array<KubeObject | undefined>) =>
  replicaSets.filter((rs): rs is KubeObject => rs !== undefined);
/** Sums over ReplicaSets (missing ones count 0): spec.replicas, status.replicas, readyReplicas, availableReplicas. */
export const sumSpecReplicas = (rss: Array<KubeObject | undefined>) =>
  present(rss).reduce((n, rs) => n + rsSpecReplicas(rs), 0);
export const sumStatusReplicas = (rss: Array<KubeObject | undefined>) =>
  present(rss).reduce((n, rs) => n + intOr(rsStatus(rs).replicas, 0), 0);
export const sumReadyReplicas = (rss: Array<KubeObject | undefined>) =>
  present(rss).reduce((n, rs) => n + intOr(rsStatus(rs).readyReplicas, 0), 0);
export const sumAvailableReplicas = (rss: Array<KubeObject | undefined>) =>
  present(rss).reduce((n, rs) => n + intOr(rsStatus(rs).availableReplicas, 0), 0);

/** The one active ReplicaSet, or the newest when none is active; undefined when several are (`FindActiveOrLatest`). */
export function findActiveOrLatest(
  newRS: KubeObject | undefined,
  oldRSs: KubeObject[],
): KubeObject | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const active = filterActive([...oldRSs, newRS]);
  if (active.length === 1) return active[0];
  if (active.length > 1) return undefined;
  return newRS ?? [...oldRSs].sort(byCreation).at(-1);
}

function annotationInt(rs: KubeObject, annotation: string): number | undefined {
  const raw = rs.metadata.annotations?.[annotation];
  const value = raw === undefined ? Number.NaN : Number(raw);
  return Number.isInteger(value) ? value : undefined;
}

/** The new ReplicaSet runs all desired replicas, all available (`IsSaturated`). */
export function isSaturated(d: KubeObject, rs: KubeObject | undefined): boolean {
  if (!rs) return false;
  const desired = desiredReplicas(d);
  return (
    rsSpecReplicas(rs) === desired &&
    annotationInt(rs, WorkloadAnnotations.desiredReplicas) === desired &&
    intOr(rsStatus(rs).availableReplicas, 0) === desired
  );
}

/** The `deployment.kubernetes.io/desired-replicas` annotation, when it is a number. */
export function desiredReplicasAnnotation(rs: KubeObject): number | undefined {
  return annotationInt(rs, WorkloadAnnotations.desiredReplicas);
}

/** How many replicas the new ReplicaSet may have now (`NewRSNewReplicas`). */
export function newRSNewReplicas(d: KubeObject, allRSs: KubeObject[], newRS: KubeObject): number {
  const desired = desiredReplicas(d);
  if (!isRollingUpdate(d)) return desired;
  const maxTotal = desired + maxSurge(d);
  const current = sumSpecReplicas(allRSs);
  if (current >= maxTotal) return rsSpecReplicas(newRS);
  return rsSpecReplicas(newRS) + Math.min(maxTotal - current, desired - rsSpecReplicas(newRS));
}

/**
 * How many of `toAdd` replicas (negative: to remove) go to `rs` when a
 * rolling Deployment is resized mid-rollout (`GetProportion`): its share by
 * the max-replicas it was sized for, capped by what is left to hand out.
 */
export function proportionFor(d: KubeObject, rs: KubeObject, toAdd: number, added: number): number {
  const size = rsSpecReplicas(rs);
  if (size === 0 || toAdd === 0 || toAdd === added) return 0;
  const desired = desiredReplicas(d);
  let fraction: number;
  if (desired === 0) fraction = -size;
  else {
    const before =
      annotationInt(rs, WorkloadAnnotations.maxReplicas) || intOr(deploymentStatus(d).replicas, 0);
    fraction = before === 0 ? 0 : Math.round((size * (desired + maxSurge(d))) / before) - size;
  }
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** Sets desired- and max-replicas annotations; true when either changed. */
export function setReplicasAnnotations(rs: KubeObject, desired: number, max: number): boolean {
  const annotations = rs.metadata.annotations ?? {};
  const want = {
    [WorkloadAnnotations.desiredReplicas]: String(desired),
    [WorkloadAnnotations.maxReplicas]: String(max),
  };
  const changed = Object.entries(want).some(([k, v]) => annotations[k] !== v);
  rs.metadata.annotations = { ...annotations, ...want };
  return changed;
}
