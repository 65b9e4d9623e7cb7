import {
  type Clock,
  cloneJson,
  type KubeClient,
  type KubeObject,
  objectKeyOf,
  R,
  type ReconcileResult,
  type Runnable,
} from "@atoll/kube";
import type { EventRecorder } from "../events/recorder.ts";
import { setCondition } from "./conditions.ts";
import { rolloutRecreate, rolloutRolling, syncScaling } from "./deployment-rollout.ts";
import { calculateStatus, DeploymentReasons, deploymentCondition } from "./deployment-status.ts";
import { DeploymentSync } from "./deployment-sync.ts";
import {
  deploymentSpec,
  deploymentStatus,
  desiredReplicas,
  desiredReplicasAnnotation,
  filterActive,
  progressDeadlineSeconds,
} from "./deployment-util.ts";
import type { WorkloadInformers } from "./informers.ts";
import { selectorMatches, selectsEverything } from "./label-selector.ts";
import { childCandidates, claimChildren, controllerKeyOf, controllerOf } from "./owner.ts";
import { NO_EVENTS, SyncedController, type WorkloadControllerOptions } from "./synced-controller.ts";
import { WorkloadControllerNames } from "./well-known.ts";

const NAME = WorkloadControllerNames.deployment;

/**
 * The Deployment controller: owns ReplicaSets named `<deployment>-<hash>`
 * (the `pod-template-hash` of the template), rolls the pod template out with
 * the RollingUpdate (maxSurge/maxUnavailable) or Recreate strategy, resizes
 * proportionally mid-rollout, honours `paused`, keeps
 * `revisionHistoryLimit` old ReplicaSets, and reports status with the
 * Available and Progressing conditions `kubectl rollout status` and
 * `kubectl wait --for=condition=Available` read.
 */
export class DeploymentController implements Runnable {
  #client: KubeClient;
  #informers: WorkloadInformers;
  #clock: Clock;
  #events: EventRecorder;
  #runner: SyncedController;

  constructor(options: WorkloadControllerOptions) {
    this.#client = options.client;
    this.#events = options.events?.(NAME) ?? NO_EVENTS;
    this.#informers = options.informers;
    this.#clock = options.clock;
    const { deployments, replicasets, pods } = options.informers;
    this.#runner = new SyncedController({
      name: NAME,
      informers: [deployments, replicasets, pods],
      reconcile: (key) => this.#reconcile(key),
      onError: options.onError,
    });
    this.#runner.controller.watches(deployments).watches(replicasets, (rs) => this.#ownersOf(rs));
    // A Recreate rollout waits for old pods to be gone.
    pods.addHandlers({
      onDelete: (pod) => {
        for (const rsKey of controllerKeyOf(pod, "ReplicaSet")) {
          const rs = replicasets.get(rsKey);
          for (const key of rs ? controllerKeyOf(rs, "Deployment") : []) this.#runner.controller.enqueue(key);
        }
      },
    });
  }

  start(): void {
    this.#runner.start();
  }

  stop(): void {
    this.#runner.stop();
  }

  #ownersOf(rs: KubeObject): string[] {
    if (controllerOf(rs)) return controllerKeyOf(rs, "Deployment");
    return this.#informers.deployments
      .list(rs.metadata.namespace)
      .filter((d) => selectorMatches(deploymentSpec(d).selector, rs.metadata.labels))
      .map(objectKeyOf);
  }

  async #reconcile(key: string): Promise<ReconcileResult> {
    const deployment = this.#informers.deployments.get(key);
    if (!deployment) return undefined;
    const spec = deploymentSpec(deployment);
    const sync = new DeploymentSync({
      client: this.#client,
      clock: this.#clock,
      events: this.#events,
      deployment: cloneJson(deployment),
    });
    if (selectsEverything(spec.selector)) {
      // Kubernetes refuses to act on a selector that selects every pod.
      const status = cloneJson(deploymentStatus(deployment));
      if ((status.observedGeneration ?? 0) < (deployment.metadata.generation ?? 0)) {
        await sync.writeStatus({ ...status, observedGeneration: deployment.metadata.generation });
      }
      return undefined;
    }
    const rsList = await claimChildren({
      client: this.#client,
      resource: R.replicasets,
      owner: deployment,
      ownerResource: R.deployments,
      candidates: childCandidates(this.#informers.replicasets, deployment),
      matches: (rs) => selectorMatches(spec.selector, rs.metadata.labels),
      fieldManager: NAME,
    });

    if (deployment.metadata.deletionTimestamp) {
      const { newRS, oldRSs } = await sync.replicaSets(rsList, false);
      await sync.writeStatus(calculateStatus([...oldRSs, newRS], newRS, sync.deployment, sync.now()));
      return undefined;
    }
    await this.#checkPausedConditions(sync);
    if (spec.paused || (await this.#isScalingEvent(sync, rsList))) {
      await syncScaling(sync, rsList);
    } else if (spec.strategy?.type === "Recreate") {
      await rolloutRecreate(sync, rsList, this.#podsByOwner(deployment, rsList));
    } else {
      await rolloutRolling(sync, rsList);
    }
    return sync.requeueAfterMs === undefined ? undefined : { requeueAfterMs: sync.requeueAfterMs };
  }

  /** Progressing becomes Unknown/DeploymentPaused on pause and Unknown/DeploymentResumed on resume. */
  async #checkPausedConditions(sync: DeploymentSync): Promise<void> {
    const d = sync.deployment;
    if (progressDeadlineSeconds(d) === undefined) return;
    const status = cloneJson(deploymentStatus(d));
    const current = status.conditions?.find((c) => c.type === "Progressing");
    if (current?.reason === DeploymentReasons.progressDeadlineExceeded) return;
    const pausedNow = current?.reason === DeploymentReasons.paused;
    const paused = deploymentSpec(d).paused === true;
    if (paused === pausedNow) return;
    const [reason, message] = paused
      ? [DeploymentReasons.paused, "Deployment is paused"]
      : [DeploymentReasons.resumed, "Deployment is resumed"];
    status.conditions = setCondition(
      status.conditions,
      deploymentCondition("Progressing", "Unknown", reason, message, sync.now()),
    );
    await sync.writeStatus(status);
  }

  /** Some active ReplicaSet was sized for a different replica count than the Deployment's now. */
  async #isScalingEvent(sync: DeploymentSync, rsList: KubeObject[]): Promise<boolean> {
    const { newRS, oldRSs } = await sync.replicaSets(rsList, false);
    const desired = desiredReplicas(sync.deployment);
    return filterActive([...oldRSs, newRS]).some((rs) => {
      const annotated = desiredReplicasAnnotation(rs);
      return annotated !== undefined && annotated !== desired;
    });
  }

  /** The Deployment's pods grouped by the uid of the ReplicaSet controlling them. */
  #podsByOwner(deployment: KubeObject, rsList: KubeObject[]): Map<string, KubeObject[]> {
    const uids = new Set(rsList.map((rs) => rs.metadata.uid ?? ""));
    const selector = deploymentSpec(deployment).selector;
    const byOwner = new Map<string, KubeObject[]>();
    for (const pod of this.#informers.pods.list(deployment.metadata.namespace)) {
      const uid = controllerOf(pod)?.uid;
      if (!uid || !uids.has(uid) || !selectorMatches(selector, pod.metadata.labels)) continue;
      byOwner.set(uid, [...(byOwner.get(uid) ?? []), pod]);
    }
    return byOwner;
  }
}
