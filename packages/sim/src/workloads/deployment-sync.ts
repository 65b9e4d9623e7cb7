import {
  type Clock,
  cloneJson,
  jsonEqual,
  type KubeClient,
  type KubeObject,
  R,
  StatusError,
} from "@atoll/kube";
import type { EventRecorder } from "../events/recorder.ts";
import { findCondition, setCondition } from "./conditions.ts";
import {
  DeploymentReasons,
  deploymentCondition,
  statusForWrite,
  stuckRequeueMs,
} from "./deployment-status.ts";
import {
  byCreation,
  type DeploymentStatus,
  deploymentSpec,
  deploymentStatus,
  desiredReplicas,
  equalIgnoreHash,
  findNewReplicaSet,
  maxRevision,
  maxSurge,
  newRSNewReplicas,
  progressDeadlineSeconds,
  type ReplicaSetSpec,
  revisionOf,
  rsSpecReplicas,
  rsStatus,
  setReplicasAnnotations,
} from "./deployment-util.ts";
import { controllerOf, controllerRefTo } from "./owner.ts";
import { computeTemplateHash } from "./template-hash.ts";
import { WorkloadAnnotations, WorkloadControllerNames, WorkloadLabels } from "./well-known.ts";
import { intOr, specOf } from "./workload-types.ts";

const NAME = WorkloadControllerNames.deployment;

/** Deployment annotations that are not copied onto its ReplicaSets. */
const NOT_COPIED: ReadonlySet<string> = new Set([
  WorkloadAnnotations.lastAppliedConfiguration,
  WorkloadAnnotations.revision,
  WorkloadAnnotations.revisionHistory,
  WorkloadAnnotations.desiredReplicas,
  WorkloadAnnotations.maxReplicas,
  "deprecated.deployment.rollback.to",
]);

/**
 * One reconcile of one Deployment: the writes it makes to the Deployment and
 * its ReplicaSets. `deployment` is always the newest version this sync has
 * read or written, so successive writes do not conflict with each other.
 */
export class DeploymentSync {
  deployment: KubeObject;
  /** Set by a status sync that wants another look before the progress deadline passes. */
  requeueAfterMs: number | undefined;
  readonly #client: KubeClient;
  readonly #clock: Clock;
  readonly #events: EventRecorder;
  /** ReplicaSets this sync wrote, by uid: newer than the caller's list. */
  readonly #written = new Map<string, KubeObject>();

  constructor(options: { client: KubeClient; clock: Clock; events: EventRecorder; deployment: KubeObject }) {
    this.#client = options.client;
    this.#clock = options.clock;
    this.#events = options.events;
    this.deployment = options.deployment;
  }

  now(): Date {
    return this.#clock.now();
  }

  /**
   * The new ReplicaSet (created when `create` and missing) and the old ones,
   * with the revision annotations of both synced (`getAllReplicaSetsAndSyncRevision`).
   */
  async replicaSets(
    rsList: KubeObject[],
    create: boolean,
  ): Promise<{ newRS: KubeObject | undefined; oldRSs: KubeObject[] }> {
    rsList = rsList.map((rs) => this.#written.get(rs.metadata.uid ?? "") ?? rs);
    const existing = findNewReplicaSet(this.deployment, rsList);
    const oldRSs = rsList.filter((rs) => rs !== existing).sort(byCreation);
    const newRevision = maxRevision(oldRSs) + 1;
    const newRS = existing
      ? await this.#syncExistingNewRS(existing, newRevision)
      : create
        ? await this.#createNewRS(oldRSs, newRevision)
        : undefined;
    return { newRS, oldRSs };
  }

  async #syncExistingNewRS(existing: KubeObject, newRevision: number): Promise<KubeObject> {
    const copy = cloneJson(existing);
    const spec = specOf<ReplicaSetSpec>(copy);
    const minReadySeconds = intOr(deploymentSpec(this.deployment).minReadySeconds, 0);
    const annotationsChanged = this.#setNewRSAnnotations(copy, newRevision, true);
    if (annotationsChanged || intOr(spec.minReadySeconds, 0) !== minReadySeconds) {
      spec.minReadySeconds = minReadySeconds;
      return this.#record(
        await this.#client.update(R.replicasets, copy.metadata.namespace, copy, { fieldManager: NAME }),
      );
    }
    await this.#setDeploymentRevision(revisionOf(existing));
    if (
      progressDeadlineSeconds(this.deployment) !== undefined &&
      !findCondition(deploymentStatus(this.deployment).conditions, "Progressing")
    ) {
      await this.#setProgressing(
        DeploymentReasons.foundNewReplicaSet,
        `Found new replica set "${existing.metadata.name}"`,
      );
    }
    return existing;
  }

  async #createNewRS(oldRSs: KubeObject[], newRevision: number): Promise<KubeObject> {
    const d = this.deployment;
    const spec = deploymentSpec(d);
    const collisionCount = deploymentStatus(d).collisionCount;
    const hash = computeTemplateHash(spec.template, collisionCount);
    const template = cloneJson(spec.template ?? {});
    template.metadata = {
      ...template.metadata,
      labels: { ...template.metadata?.labels, [WorkloadLabels.podTemplateHash]: hash },
    };
    const selector = cloneJson(spec.selector ?? {});
    selector.matchLabels = { ...selector.matchLabels, [WorkloadLabels.podTemplateHash]: hash };
    const rs: KubeObject = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        labels: { ...template.metadata.labels },
        ownerReferences: [controllerRefTo(d, R.deployments)],
      },
      spec: { replicas: 0, minReadySeconds: intOr(spec.minReadySeconds, 0), selector, template },
    };
    (rs.spec as ReplicaSetSpec).replicas = newRSNewReplicas(d, oldRSs, rs);
    this.#setNewRSAnnotations(rs, newRevision, false);
    let created: KubeObject;
    try {
      created = await this.#client.create(R.replicasets, d.metadata.namespace, rs, { fieldManager: NAME });
    } catch (error) {
      if (error instanceof StatusError && error.reason === "AlreadyExists")
        return this.#resolveNameCollision(rs);
      const message = `Failed to create new replica set "${rs.metadata.name}": ${error instanceof Error ? error.message : String(error)}`;
      this.#events.event(d, "Warning", DeploymentReasons.replicaSetCreateError, message);
      if (progressDeadlineSeconds(d) !== undefined) {
        await this.#setProgressing(DeploymentReasons.replicaSetCreateError, message, "False");
      }
      throw error;
    }
    const size = rsSpecReplicas(created);
    if (size > 0) {
      this.#events.event(
        d,
        "Normal",
        "ScalingReplicaSet",
        `Scaled up replica set ${created.metadata.name} from 0 to ${size}`,
      );
    }
    await this.#setDeploymentRevision(newRevision);
    if (progressDeadlineSeconds(this.deployment) !== undefined) {
      await this.#setProgressing(
        DeploymentReasons.newReplicaSetCreated,
        `Created new replica set "${created.metadata.name}"`,
      );
    }
    return created;
  }

  /** The name is taken: ours (a cache behind the server), or a hash collision that bumps collisionCount. */
  async #resolveNameCollision(rs: KubeObject): Promise<KubeObject> {
    const d = this.deployment;
    const current = await this.#client.get(R.replicasets, d.metadata.namespace, rs.metadata.name ?? "");
    if (
      current &&
      controllerOf(current)?.uid === d.metadata.uid &&
      equalIgnoreHash(specOf<ReplicaSetSpec>(current).template, deploymentSpec(d).template)
    ) {
      return current;
    }
    const status = cloneJson(deploymentStatus(d));
    status.collisionCount = (status.collisionCount ?? 0) + 1;
    await this.writeStatus(status);
    throw new StatusError(
      "AlreadyExists",
      `replica set "${rs.metadata.name}" hash collision; collisionCount is now ${status.collisionCount}`,
    );
  }

  /** Copies the Deployment's annotations, raises the revision, and on creation sets the replica annotations. */
  #setNewRSAnnotations(rs: KubeObject, newRevision: number, exists: boolean): boolean {
    const d = this.deployment;
    const annotations = { ...rs.metadata.annotations };
    let changed = false;
    for (const [key, value] of Object.entries(d.metadata.annotations ?? {})) {
      if (NOT_COPIED.has(key) || annotations[key] === value) continue;
      annotations[key] = value;
      changed = true;
    }
    const oldRaw = annotations[WorkloadAnnotations.revision];
    const oldRevision = revisionOf(rs);
    if (oldRevision < newRevision) {
      annotations[WorkloadAnnotations.revision] = String(newRevision);
      if (oldRaw !== undefined) {
        const history = annotations[WorkloadAnnotations.revisionHistory];
        annotations[WorkloadAnnotations.revisionHistory] = history ? `${history},${oldRaw}` : oldRaw;
      }
      changed = true;
    }
    rs.metadata.annotations = annotations;
    const desired = desiredReplicas(d);
    if (!exists && setReplicasAnnotations(rs, desired, desired + maxSurge(d))) changed = true;
    return changed;
  }

  async #setDeploymentRevision(revision: number): Promise<void> {
    const d = this.deployment;
    if (revisionOf(d) >= revision && d.metadata.annotations?.[WorkloadAnnotations.revision] !== undefined)
      return;
    this.deployment = await this.#client.patch(
      R.deployments,
      d.metadata.namespace,
      d.metadata.name ?? "",
      "merge",
      { metadata: { annotations: { [WorkloadAnnotations.revision]: String(revision) } } },
      { fieldManager: NAME },
    );
  }

  async #setProgressing(reason: string, message: string, status: "True" | "False" = "True"): Promise<void> {
    const next = cloneJson(deploymentStatus(this.deployment));
    next.conditions = setCondition(
      next.conditions,
      deploymentCondition("Progressing", status, reason, message, this.now()),
    );
    await this.writeStatus(next);
  }

  /** Sets a ReplicaSet's size and replica annotations (`scaleReplicaSet`); the ReplicaSet as it now is. */
  async scaleReplicaSet(rs: KubeObject, size: number): Promise<{ scaled: boolean; rs: KubeObject }> {
    const desired = desiredReplicas(this.deployment);
    const copy = cloneJson(rs);
    const annotationsChanged = setReplicasAnnotations(copy, desired, desired + maxSurge(this.deployment));
    const sizeChanged = rsSpecReplicas(rs) !== size;
    if (!sizeChanged && !annotationsChanged) return { scaled: false, rs };
    specOf<ReplicaSetSpec>(copy).replicas = size;
    if (copy.spec === undefined) copy.spec = { replicas: size };
    const updated = await this.#client.update(R.replicasets, copy.metadata.namespace, copy, {
      fieldManager: NAME,
    });
    if (sizeChanged) {
      const from = rsSpecReplicas(rs);
      const message = `Scaled ${size > from ? "up" : "down"} replica set ${rs.metadata.name} from ${from} to ${size}`;
      this.#events.event(this.deployment, "Normal", "ScalingReplicaSet", message);
    }
    return { scaled: sizeChanged, rs: this.#record(updated) };
  }

  /** Deletes the oldest scaled-down ReplicaSets beyond `revisionHistoryLimit` (`cleanupDeployment`). */
  async cleanup(oldRSs: KubeObject[]): Promise<void> {
    const limit = intOr(deploymentSpec(this.deployment).revisionHistoryLimit, 10);
    const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const excess = alive.length - limit;
    if (excess <= 0) return;
    const byRevision = [...alive].sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
    for (const rs of byRevision.slice(0, excess)) {
      const status = rsStatus(rs);
      if (intOr(status.replicas, 0) !== 0 || rsSpecReplicas(rs) !== 0) continue;
      if ((rs.metadata.generation ?? 0) > intOr(status.observedGeneration, 0)) continue;
      try {
        await this.#client.delete(R.replicasets, rs.metadata.namespace, rs.metadata.name ?? "");
      } catch (error) {
        if (!(error instanceof StatusError && error.reason === "NotFound")) throw error;
      }
    }
  }

  #record(rs: KubeObject): KubeObject {
    this.#written.set(rs.metadata.uid ?? "", rs);
    return rs;
  }

  /** Writes `status` unless it is what the Deployment already reports; then plans a deadline check. */
  async writeStatus(status: DeploymentStatus, options: { checkStuck?: boolean } = {}): Promise<void> {
    const before = this.deployment;
    const next = statusForWrite(status);
    if (!jsonEqual(next, before.status ?? {})) {
      this.deployment = await this.#client.update(
        R.deployments,
        before.metadata.namespace,
        { ...before, status: next },
        { subresource: "status", fieldManager: NAME },
      );
    }
    if (options.checkStuck) this.requeueAfterMs = stuckRequeueMs(before, status, this.now());
  }
}
