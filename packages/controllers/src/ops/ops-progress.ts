import { createHash } from "node:crypto";
import {
  type Cluster,
  ClusterPhases,
  InstanceOperationAnnotations,
  OpsTypes,
  ReplicaPhases,
  type ReplicaStatus,
  type SwitchoverRequest,
  type SwitchoverResult,
} from "@atoll/api";
import { isRecord } from "@atoll/kube";
import { type ClusterChange, switchoverChange } from "./ops-actions.ts";
import { type ProgressStatus, ProgressStatuses } from "./ops-names.ts";
import {
  horizontalOf,
  type Ops,
  type OpsComponentStatus,
  type ProgressDetail,
  switchoverId,
  switchoversOf,
  targetComponents,
} from "./ops-spec.ts";
import { leaderOf } from "./ops-validation.ts";

/** Where a running operation stands, judged from the Cluster's status. */
export type Evaluation = {
  outcome: "Running" | "Succeed" | "Failed";
  /** "done/total": replicas for Restart and VerticalScaling, components otherwise. */
  progress: string;
  components: Record<string, OpsComponentStatus>;
  /** Why it failed. */
  message?: string;
  /** A further change to make now: the next component's switchover request. */
  change?: ClusterChange;
  /** Whether the Cluster's status reflects the operation's change (see `evaluate`). */
  caughtUp: boolean;
};

export type EvaluateOptions = {
  now: Date;
  /** How long leadership may take to show on the candidate after a switchover action succeeded. */
  leaderWaitMs: number;
  /** Judge a cancel: progress toward the configuration before the operation. */
  cancelling?: boolean;
};

/**
 * Judges a running operation against the Cluster's status. A status the
 * instance controller wrote before seeing the operation's change is never
 * taken as progress: the change must be observed (`observedGeneration` at
 * least the operation's `clusterGeneration`) and, for a Restart, the
 * status must have been written since (its digest differs). A full roll
 * can bring the status back to exactly what it was, so the caller drops
 * the digest once it differed (`caughtUp`).
 */
export function evaluate(op: Ops, cluster: Cluster, options: EvaluateOptions): Evaluation {
  const fresh = caughtUp(op, cluster);
  const judged = (): Omit<Evaluation, "caughtUp"> => {
    switch (op.spec.type) {
      case OpsTypes.Restart:
      case OpsTypes.VerticalScaling:
        return rolled(op, cluster, fresh);
      case OpsTypes.Switchover:
        return switchedOver(op, cluster, options);
      default:
        return perComponent(op, cluster, fresh, options.cancelling === true);
    }
  };
  return { ...judged(), caughtUp: fresh };
}

/** A digest of a Cluster's status, independent of key order. */
export function statusDigest(cluster: Cluster): string {
  return createHash("sha256")
    .update(canonical(cluster.status ?? {}))
    .digest("hex")
    .slice(0, 16);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function caughtUp(op: Ops, cluster: Cluster): boolean {
  const generation = op.status?.clusterGeneration;
  if (generation !== undefined && (cluster.status?.observedGeneration ?? 0) < generation) return false;
  const digest = op.status?.clusterStatusDigest;
  return digest === undefined || digest !== statusDigest(cluster);
}

const replicasOf = (cluster: Cluster, component: string): ReplicaStatus[] =>
  cluster.status?.components?.[component]?.replicas ?? [];
const phaseOf = (cluster: Cluster, component: string) => cluster.status?.components?.[component]?.phase;
const wantedReplicas = (cluster: Cluster, component: string) =>
  cluster.spec.componentSpecs?.find((c) => c.name === component)?.replicas ?? 1;
const serving = (r: ReplicaStatus) => r.ready === true && r.phase === ReplicaPhases.Running;

function replicaProgress(replica: ReplicaStatus, fresh: boolean): ProgressStatus {
  if (!fresh) return ProgressStatuses.Pending;
  if (replica.upToDate === true && serving(replica)) return ProgressStatuses.Succeed;
  // Out of date but serving: waiting for its turn in the roll.
  if (replica.upToDate === false && serving(replica)) return ProgressStatuses.Pending;
  return ProgressStatuses.Processing;
}

/** Restart and VerticalScaling: done when every replica was re-created and serves again. */
function rolled(op: Ops, cluster: Cluster, fresh: boolean): Omit<Evaluation, "caughtUp"> {
  let done = 0;
  let total = 0;
  let allDone = true;
  const components: Record<string, OpsComponentStatus> = {};
  for (const name of targetComponents(op, cluster)) {
    const replicas = replicasOf(cluster, name);
    const details: ProgressDetail[] = replicas.map((r) => ({
      objectKey: `Pod/${r.podName}`,
      status: replicaProgress(r, fresh),
      ...(r.message ? { message: r.message } : {}),
    }));
    const succeeded = details.filter((d) => d.status === ProgressStatuses.Succeed).length;
    const wanted = wantedReplicas(cluster, name);
    done += succeeded;
    total += Math.max(wanted, replicas.length);
    const phase = phaseOf(cluster, name);
    const complete =
      fresh && replicas.length === wanted && succeeded === wanted && phase === ClusterPhases.Running;
    allDone &&= complete;
    components[name] = { ...(phase ? { phase } : {}), progressDetails: details };
  }
  return { outcome: allDone ? "Succeed" : "Running", progress: `${done}/${total}`, components };
}

/** Stop, Start and HorizontalScaling: done per component when it reaches the phase (and size) asked for. */
function perComponent(
  op: Ops,
  cluster: Cluster,
  fresh: boolean,
  cancelling: boolean,
): Omit<Evaluation, "caughtUp"> {
  const targets = targetComponents(op, cluster);
  const components: Record<string, OpsComponentStatus> = {};
  let done = 0;
  for (const name of targets) {
    const phase = phaseOf(cluster, name);
    const replicas = replicasOf(cluster, name);
    let complete = false;
    let message: string | undefined;
    if (op.spec.type === OpsTypes.Stop) complete = phase === ClusterPhases.Stopped;
    else if (op.spec.type === OpsTypes.Start) complete = phase === ClusterPhases.Running;
    else {
      const target = cancelling
        ? op.status?.lastConfiguration?.components[name]?.replicas
        : horizontalOf(op).find((e) => e.componentName === name)?.replicas;
      const ready = replicas.filter(serving);
      // A replica without a role among replicas with roles is not done joining.
      const roleful = replicas.some((r) => r.role !== undefined);
      complete =
        replicas.length === target &&
        ready.length === target &&
        (!roleful || replicas.every((r) => r.role !== undefined)) &&
        phase === ClusterPhases.Running;
      message = `${fresh ? ready.length : 0}/${target ?? "?"} replicas ready`;
    }
    complete &&= fresh;
    if (complete) done++;
    components[name] = { ...(phase ? { phase } : {}), ...(message ? { message } : {}) };
  }
  return {
    outcome: done === targets.length ? "Succeed" : "Running",
    progress: `${done}/${targets.length}`,
    components,
  };
}

function parseAnnotation<T>(cluster: Cluster, key: string): Partial<T> | undefined {
  const text = cluster.metadata.annotations?.[key];
  if (!text) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? (parsed as Partial<T>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Switchover, one component after the other: done for a component when the
 * instance controller's result for its request succeeded and the status
 * shows the candidate (or, for "*", another pod than the leader at the
 * start) as leader; failed when the action failed, or when leadership did
 * not show up within `leaderWaitMs` of the action succeeding.
 */
function switchedOver(op: Ops, cluster: Cluster, options: EvaluateOptions): Omit<Evaluation, "caughtUp"> {
  const request = parseAnnotation<SwitchoverRequest>(cluster, InstanceOperationAnnotations.switchover);
  const result = parseAnnotation<SwitchoverResult>(cluster, InstanceOperationAnnotations.switchoverResult);
  const entries = switchoversOf(op);
  const components: Record<string, OpsComponentStatus> = {};
  const evaluation: Omit<Evaluation, "caughtUp"> = { outcome: "Running", progress: "", components };
  let done = 0;
  let blocked = false;
  for (const entry of entries) {
    const name = entry.componentName;
    const phase = phaseOf(cluster, name);
    const before = op.status?.components?.[name]?.leaderBefore;
    const base: OpsComponentStatus = {
      ...(phase ? { phase } : {}),
      ...(before ? { leaderBefore: before } : {}),
    };
    if (blocked) {
      components[name] = { ...base, message: "waits for the components before it" };
      continue;
    }
    blocked = true;
    const id = switchoverId(op, name);
    if (result?.id !== id) {
      if (request?.id !== id) evaluation.change = switchoverChange(op, name);
      components[name] = { ...base, message: "waiting for the switchover action to run on the leader" };
      continue;
    }
    if (result.succeeded !== true) {
      const message = `switchover of ${name} failed${result.ranOn ? ` on ${result.ranOn}` : ""}: ${result.message ?? ""}`;
      components[name] = { ...base, reason: "SwitchoverFailed", message };
      return { ...evaluation, outcome: "Failed", message, progress: `${done}/${entries.length}` };
    }
    const leader = leaderOf(cluster, name);
    const candidate = entry.instanceName === "*" ? undefined : entry.instanceName;
    const moved = candidate ? leader === candidate : leader !== undefined && leader !== before;
    if (moved) {
      done++;
      blocked = false;
      components[name] = { ...base, message: `${leader} is the leader` };
      continue;
    }
    const finishedAt = Date.parse(result.finishedAt ?? "");
    const waited = Number.isNaN(finishedAt) ? 0 : options.now.getTime() - finishedAt;
    const wanted = candidate ?? `a replica other than ${before ?? "the old leader"}`;
    if (waited > options.leaderWaitMs) {
      const message = `the switchover action of ${name} succeeded, but ${wanted} was not reported leader within ${Math.round(options.leaderWaitMs / 1000)} s (leader: ${leader ?? "none"})`;
      components[name] = { ...base, reason: "LeaderNotMoved", message };
      return { ...evaluation, outcome: "Failed", message, progress: `${done}/${entries.length}` };
    }
    components[name] = { ...base, message: `waiting for ${wanted} to be reported leader` };
  }
  return {
    ...evaluation,
    outcome: done === entries.length ? "Succeed" : "Running",
    progress: `${done}/${entries.length}`,
  };
}
