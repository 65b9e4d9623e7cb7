import { type Cluster, KB_CLUSTERS, OPS_REQUESTS, OpsPhases, OpsTypes, opsClusterName } from "@atoll/api";
import {
  Controller,
  type Informer,
  isRecord,
  jsonEqual,
  type KubeObject,
  objectKeyOf,
  type ReconcileResult,
  type Runnable,
} from "@atoll/kube";
import type { PropagationContext } from "../propagation/context.ts";
import { changeCluster, messageOf } from "./cluster-writes.ts";
import { cancelChange, lastConfiguration, startChange } from "./ops-actions.ts";
import { expire } from "./ops-expiry.ts";
import { labelOps } from "./ops-labels.ts";
import { OpsReasons } from "./ops-names.ts";
import { evaluate, statusDigest } from "./ops-progress.ts";
import { enqueued, isStarted, parseQueue, type QueueEntry, started, without } from "./ops-queue.ts";
import type { Ops, OpsComponentStatus, OpsStatus } from "./ops-spec.ts";
import { switchoversOf } from "./ops-spec.ts";
import {
  cancelling,
  cancelRefused,
  changedStatus,
  clusterGone,
  concluded,
  creating,
  finished,
  isTerminal,
  rejected,
  running,
  type StatusChange,
  waiting,
} from "./ops-status.ts";
import { checkAtStart, checkClusterPhase, leaderOf, type Problem, validate } from "./ops-validation.ts";
import { leaveQueue, pruneQueue, staleEntries } from "./queue-upkeep.ts";

export type OpsControllerOptions = {
  /**
   * OpsRequests reconciled at once (default 1: operations created in the
   * same second queue in the order they arrive, which concurrent reconciles
   * would race on).
   */
  concurrency?: number;
  /** How often a running operation is looked at without an event, for its timeouts (default 5000 ms). */
  resyncMs?: number;
  /** How long a switchover's new leader may take to be reported once the action succeeded (default 60 s). */
  leaderWaitMs?: number;
};

const NAME = "ops";
/** Queue keys that prune a Cluster's ops queue after an OpsRequest is deleted: `cluster:<ns>/<name>`. */
const CLUSTER_KEY = "cluster:";
const BY_CLUSTER = "ops.atoll.io/cluster";

const clusterKeyOf = (op: KubeObject) =>
  `${op.metadata.namespace}/${isRecord(op.spec) ? opsClusterName(op.spec as Ops["spec"]) : ""}`;

/**
 * KubeBlocks' OpsRequest at the hub. An operation is validated, waits its
 * turn in its Cluster's queue (one operation at a time per Cluster, in the
 * order they were seen), checks the Cluster's phase, makes its change on the
 * Cluster (spec fields or the instance controller's request annotations, in
 * the same write that marks it running), then follows the Cluster's status
 * to Succeed or Failed. Finished operations leave the queue and are deleted
 * after their TTL.
 */
export class OpsController implements Runnable {
  #context: PropagationContext;
  #controller: Controller;
  #resyncMs: number;
  #leaderWaitMs: number;
  #ops: Informer | undefined;
  #clusters: Informer | undefined;
  #stopped = false;

  constructor(context: PropagationContext, options: OpsControllerOptions = {}) {
    this.#context = context;
    this.#resyncMs = options.resyncMs ?? 5000;
    this.#leaderWaitMs = options.leaderWaitMs ?? 60_000;
    this.#controller = new Controller({
      name: NAME,
      reconcile: (key) => this.#reconcile(key),
      onError: context.onError,
      concurrency: options.concurrency ?? 1,
    });
  }

  start(): void {
    const pool = this.#context.hubInformers;
    this.#ops = pool.informer(OPS_REQUESTS);
    this.#ops.addIndexer(BY_CLUSTER, (o) => [clusterKeyOf(o)]);
    this.#controller.watches(this.#ops);
    this.#ops.addHandlers({ onDelete: (o) => this.#controller.enqueue(CLUSTER_KEY + clusterKeyOf(o)) });
    this.#clusters = pool.informer(KB_CLUSTERS);
    this.#controller.watches(this.#clusters, (c) => this.#keysOf(c as Cluster));
  }

  stop(): void {
    this.#stopped = true;
    this.#controller.stop();
  }

  /** The operations a Cluster's change may move: those not finished, and those still in its queue. */
  #keysOf(cluster: Cluster): string[] {
    const key = objectKeyOf(cluster);
    const queued = new Set(parseQueue(cluster).map((e) => `${cluster.metadata.namespace}/${e.name}`));
    const ops = (this.#ops?.byIndex(BY_CLUSTER, key) ?? []) as Ops[];
    return [
      ...new Set([
        ...ops.filter((o) => !isTerminal(o.status?.phase)).map(objectKeyOf),
        ...[...queued].filter((k) => this.#ops?.get(k)),
      ]),
    ];
  }

  async #reconcile(key: string): Promise<ReconcileResult> {
    if (this.#stopped) return undefined;
    if (key.startsWith(CLUSTER_KEY)) {
      const cluster = this.#clusters?.get(key.slice(CLUSTER_KEY.length)) as Cluster | undefined;
      if (cluster) await pruneQueue({ hub: this.#context.hub, ops: this.#ops }, cluster);
      return undefined;
    }
    const op = this.#ops?.get(key) as Ops | undefined;
    if (!op || op.metadata.deletionTimestamp) return undefined;
    if (!isRecord(op.spec)) return this.#finish(op, rejected(invalidSpec, this.#now()));
    if (await labelOps(this.#context.hub, op)) return undefined;
    if (isTerminal(op.status?.phase)) return this.#afterFinish(op);
    const cluster = await this.#cluster(op);
    if (!cluster) return this.#clusterGone(op);
    const phase = op.status?.phase;
    const queue = parseQueue(cluster);
    const applied =
      phase === OpsPhases.Running ||
      phase === OpsPhases.Cancelling ||
      isStarted(queue, op.metadata.name ?? "");
    if (applied) return this.#follow(op, cluster);
    if (op.spec.cancel === true) {
      return this.#finish(
        op,
        finished(OpsPhases.Cancelled, OpsReasons.CancelSucceed, "cancelled before it started", this.#now()),
      );
    }
    return this.#admit(op, cluster, queue);
  }

  /** Validates, queues, and — at the head of the queue, in a phase it may start from — makes its change. */
  async #admit(op: Ops, cluster: Cluster, queue: QueueEntry[]): Promise<ReconcileResult> {
    const name = op.metadata.name ?? "";
    const problem = validate(op, cluster);
    if (problem) return this.#finish(op, rejected(problem, this.#now()));
    const stale = await staleEntries(
      { hub: this.#context.hub, ops: this.#ops },
      op.metadata.namespace,
      queue,
      name,
    );
    let current: Cluster | undefined = cluster;
    if (stale.length || !queue.some((e) => e.name === name)) {
      current = await changeCluster(this.#context.hub, cluster, (c) => ({
        queue: enqueued(without(parseQueue(c), stale), { name, type: op.spec.type }, (n) =>
          this.#createdAt(op.metadata.namespace, n),
        ),
      }));
      if (!current) return this.#clusterGone(op);
    }
    const head = parseQueue(current)[0];
    if (head?.name !== name) {
      const on = `Cluster ${opsClusterName(op.spec)}`;
      await this.#write(
        op,
        waiting(`waiting for OpsRequest ${head?.name} (${head?.type}) to finish on ${on}`),
      );
      return undefined;
    }
    const now = this.#now();
    const phaseProblem = checkClusterPhase(op, current);
    if (phaseProblem) {
      const deadline = preConditionDeadline(op);
      if (deadline === undefined || now.getTime() >= deadline)
        return this.#finish(op, rejected(phaseProblem, now));
      await this.#write(op, waiting(phaseProblem.message));
      return { requeueAfterMs: Math.min(deadline - now.getTime(), this.#resyncMs) };
    }
    const startProblem = checkAtStart(op, current);
    if (startProblem) return this.#finish(op, rejected(startProblem, now));
    const creatingOp = await this.#write(
      op,
      creating(now, { lastConfiguration: lastConfiguration(op, current), progress: "-/-" }),
    );
    const changed = await changeCluster(this.#context.hub, current, (c) => {
      const entries = parseQueue(c);
      if (entries[0]?.name !== name) return undefined;
      return { ...startChange(op, c, now), queue: started(entries, name) };
    });
    if (!changed) return this.#clusterGone(creatingOp);
    if (!isStarted(parseQueue(changed), name)) return { requeueAfterMs: this.#resyncMs };
    return this.#markRunning(creatingOp, changed, current);
  }

  /** Records what judging progress needs (the Cluster's generation, the leaders before a switchover), then judges. */
  async #markRunning(op: Ops, changed: Cluster, before: Cluster): Promise<ReconcileResult> {
    const components: Record<string, OpsComponentStatus> = {};
    if (op.spec.type === OpsTypes.Switchover) {
      for (const entry of switchoversOf(op)) {
        const leader = leaderOf(before, entry.componentName);
        components[entry.componentName] = leader ? { leaderBefore: leader } : {};
      }
    }
    const fields: Partial<OpsStatus> = {
      clusterGeneration: changed.metadata.generation,
      components,
      ...(op.spec.type === OpsTypes.Restart ? { clusterStatusDigest: statusDigest(changed) } : {}),
    };
    const provisional: Ops = { ...op, status: { ...op.status, ...fields } };
    const evaluation = evaluate(provisional, changed, { now: this.#now(), leaderWaitMs: this.#leaderWaitMs });
    const runningOp = await this.#write(
      op,
      running(op, opsClusterName(op.spec), {
        ...fields,
        progress: evaluation.progress,
        components: evaluation.components,
      }),
    );
    return this.#follow(runningOp, changed);
  }

  /** Follows a started operation: its timeout, a cancel, then its progress from the Cluster's status. */
  async #follow(op: Ops, cluster: Cluster): Promise<ReconcileResult> {
    const now = this.#now();
    const phase = op.status?.phase;
    // Its change was made but the reconcile stopped before recording Running: judge from here on.
    if (phase !== OpsPhases.Running && phase !== OpsPhases.Cancelling)
      return this.#markRunning(op, cluster, cluster);
    const timeout = op.spec.timeoutSeconds;
    const startedAt = Date.parse(op.status?.startTimestamp ?? "");
    if (typeof timeout === "number" && timeout > 0 && now.getTime() - startedAt > timeout * 1000) {
      const message = `did not finish within timeoutSeconds (${timeout})`;
      return this.#finish(op, finished(OpsPhases.Aborted, OpsReasons.Timeout, message, now));
    }
    if (op.spec.cancel === true && phase === OpsPhases.Running) return this.#cancel(op, cluster);
    const undoing = phase === OpsPhases.Cancelling;
    const evaluation = evaluate(op, cluster, { now, leaderWaitMs: this.#leaderWaitMs, cancelling: undoing });
    if (evaluation.change) {
      const change = evaluation.change;
      if (!(await changeCluster(this.#context.hub, cluster, () => change))) return this.#clusterGone(op);
    }
    const fields: Partial<OpsStatus> = {
      progress: evaluation.progress,
      components: evaluation.components,
      // Seen once, the status stays judged: the digest is dropped.
      ...(evaluation.caughtUp ? { clusterStatusDigest: undefined } : {}),
    };
    if (evaluation.outcome !== "Running") {
      return this.#finish(op, concluded(op, evaluation, fields, { cancelling: undoing, now }));
    }
    await this.#write(op, { fields });
    return { requeueAfterMs: this.#resyncMs };
  }

  /** HorizontalScaling and VerticalScaling put back what they changed; other types cannot be cancelled. */
  async #cancel(op: Ops, cluster: Cluster): Promise<ReconcileResult> {
    const last = op.status?.lastConfiguration;
    if (!last) {
      const written = await this.#write(op, cancelRefused(op));
      return this.#follow({ ...written, spec: { ...written.spec, cancel: false } }, cluster);
    }
    const changed = await changeCluster(this.#context.hub, cluster, (c) => cancelChange(c, last));
    if (!changed) return this.#clusterGone(op);
    await this.#write(op, cancelling(op, changed.metadata.generation, this.#now()));
    return undefined;
  }

  /** Writes a final status, then leaves the Cluster's queue. */
  async #finish(op: Ops, change: StatusChange): Promise<ReconcileResult> {
    const done = await this.#write(op, change);
    return this.#afterFinish(done);
  }

  /** A finished operation: out of its Cluster's queue, and deleted once its TTL has passed. */
  async #afterFinish(op: Ops): Promise<ReconcileResult> {
    const cluster = isRecord(op.spec) ? await this.#cluster(op) : undefined;
    if (cluster) await leaveQueue(this.#context.hub, cluster, op.metadata.name ?? "");
    return expire(this.#context.hub, op, this.#now());
  }

  #clusterGone(op: Ops): Promise<ReconcileResult> {
    return this.#finish(op, clusterGone(op, this.#now()));
  }

  /** The operation's Cluster: from the cache, else from the API (the cache may not have seen it yet). */
  async #cluster(op: Ops): Promise<Cluster | undefined> {
    const name = opsClusterName(op.spec);
    if (!name) return undefined;
    const cached = this.#clusters?.get(`${op.metadata.namespace}/${name}`) as Cluster | undefined;
    return (
      cached ??
      ((await this.#context.hub.get(KB_CLUSTERS, op.metadata.namespace, name)) as Cluster | undefined)
    );
  }

  /** Writes the status only when it says something new; resolves with the OpsRequest as written. */
  async #write(op: Ops, change: StatusChange): Promise<Ops> {
    const status = changedStatus(op.status, change, this.#now());
    if (jsonEqual(status, op.status ?? {})) return op;
    try {
      return (await this.#context.hub.update(
        OPS_REQUESTS,
        op.metadata.namespace,
        { ...op, status },
        { subresource: "status" },
      )) as Ops;
    } catch (error) {
      throw new Error(`failed to write the status of OpsRequest ${objectKeyOf(op)}: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }

  /** When an operation was created (ms), as the cache has it; unknown ones sort last. */
  #createdAt(namespace: string | undefined, name: string): number {
    const op = this.#ops?.get(`${namespace}/${name}`);
    const at = Date.parse(op?.metadata.creationTimestamp ?? "");
    return Number.isNaN(at) ? Number.POSITIVE_INFINITY : at;
  }

  #now(): Date {
    return this.#context.clock.now();
  }
}

const invalidSpec: Problem = { reason: OpsReasons.ValidateFailed, message: "spec must be an object" };

/** When an operation stops waiting for its Cluster's phase (KubeBlocks' preConditionDeadlineSeconds). */
function preConditionDeadline(op: Ops): number | undefined {
  const seconds = op.spec.preConditionDeadlineSeconds;
  const created = Date.parse(op.metadata.creationTimestamp ?? "");
  if (typeof seconds !== "number" || seconds <= 0 || Number.isNaN(created)) return undefined;
  return created + seconds * 1000;
}
