import {
  type Clock,
  cloneJson,
  jsonEqual,
  type KubeClient,
  type KubeObject,
  objectKeyOf,
  R,
  type ReconcileResult,
  type Runnable,
  rfc3339,
  StatusError,
} from "@atoll/kube";
import type { EventRecorder } from "../events/recorder.ts";
import { findCondition, setCondition, withoutCondition } from "./conditions.ts";
import { Expectations } from "./expectations.ts";
import type { WorkloadInformers } from "./informers.ts";
import { selectorMatches } from "./label-selector.ts";
import { childCandidates, claimChildren, controllerKeyOf, controllerOf, controllerRefTo } from "./owner.ts";
import { podsToDelete } from "./pod-ranking.ts";
import { isPodActive, isPodAvailable, isPodReady, nextAvailabilityMs } from "./pod-state.ts";
import { podFromTemplate, podNamePrefix } from "./pod-template.ts";
import { slowStartBatch } from "./slow-start.ts";
import { errorMessage, omitZero } from "./status-fields.ts";
import { NO_EVENTS, SyncedController, type WorkloadControllerOptions } from "./synced-controller.ts";
import { WorkloadControllerNames, WorkloadLabels } from "./well-known.ts";
import {
  type Condition,
  intOr,
  type LabelSelector,
  type PodTemplate,
  specOf,
  statusOf,
} from "./workload-types.ts";

type ReplicaSetSpec = {
  replicas?: number;
  minReadySeconds?: number;
  selector?: LabelSelector;
  template?: PodTemplate;
};

type ReplicaSetStatus = { conditions?: Condition[]; [field: string]: unknown };

/** Kubernetes' `BurstReplicas`: the most pods one sync creates or deletes. */
const BURST_REPLICAS = 500;

const NAME = WorkloadControllerNames.replicaSet;

/**
 * The ReplicaSet controller: keeps `spec.replicas` active pods matching the
 * selector (creating them from the template in slow-start batches, deleting
 * the least valuable surplus first), adopts matching orphans, releases pods
 * that stopped matching, and reports replicas, fullyLabeledReplicas,
 * readyReplicas, availableReplicas (after `minReadySeconds`),
 * observedGeneration and a ReplicaFailure condition when pods cannot be
 * created or deleted.
 */
export class ReplicaSetController implements Runnable {
  #client: KubeClient;
  #informers: WorkloadInformers;
  #clock: Clock;
  #expectations: Expectations;
  #events: EventRecorder;
  #runner: SyncedController;

  constructor(options: WorkloadControllerOptions) {
    this.#client = options.client;
    this.#events = options.events?.(NAME) ?? NO_EVENTS;
    this.#informers = options.informers;
    this.#clock = options.clock;
    const { pods, replicasets } = options.informers;
    this.#expectations = new Expectations({ children: pods, clock: options.clock });
    this.#runner = new SyncedController({
      name: NAME,
      informers: [pods, replicasets],
      reconcile: (key) => this.#reconcile(key),
      onError: options.onError,
    });
    this.#runner.controller.watches(replicasets).watches(pods, (pod) => this.#ownersOf(pod));
  }

  start(): void {
    this.#runner.start();
  }

  stop(): void {
    this.#runner.stop();
  }

  /** Its controller, or for an orphan every ReplicaSet that may adopt it. */
  #ownersOf(pod: KubeObject): string[] {
    if (controllerOf(pod)) return controllerKeyOf(pod, "ReplicaSet");
    return this.#informers.replicasets
      .list(pod.metadata.namespace)
      .filter((rs) => selectorMatches(specOf<ReplicaSetSpec>(rs).selector, pod.metadata.labels))
      .map(objectKeyOf);
  }

  async #reconcile(key: string): Promise<ReconcileResult> {
    const rs = this.#informers.replicasets.get(key);
    if (!rs) {
      this.#expectations.forget(key);
      return undefined;
    }
    const spec = specOf<ReplicaSetSpec>(rs);
    const namespace = rs.metadata.namespace;
    const needsSync = this.#expectations.satisfied(key);
    const pods = await claimChildren({
      client: this.#client,
      resource: R.pods,
      owner: rs,
      ownerResource: R.replicasets,
      candidates: childCandidates(this.#informers.pods, rs).filter(isPodActive),
      matches: (pod) => selectorMatches(spec.selector, pod.metadata.labels),
      fieldManager: NAME,
    });
    let failure: { reason: string; error: unknown } | undefined;
    if (needsSync && !rs.metadata.deletionTimestamp) failure = await this.#manage(key, rs, pods);

    const now = this.#clock.now();
    const status = replicaSetStatus(rs, pods, failure, now);
    if (!jsonEqual(status, rs.status)) {
      await this.#client.update(
        R.replicasets,
        namespace,
        { ...rs, status },
        { subresource: "status", fieldManager: NAME },
      );
    }
    if (failure) throw failure.error;
    const wait = nextAvailabilityMs(pods, intOr(spec.minReadySeconds, 0), now);
    return wait === undefined ? undefined : { requeueAfterMs: wait };
  }

  /** Creates or deletes pods toward `spec.replicas`; the first failure, if any. */
  async #manage(
    key: string,
    rs: KubeObject,
    pods: KubeObject[],
  ): Promise<{ reason: string; error: unknown } | undefined> {
    const spec = specOf<ReplicaSetSpec>(rs);
    const diff = pods.length - intOr(spec.replicas, 1);
    if (diff < 0) {
      const template = podFromTemplate(spec.template, {
        namespace: rs.metadata.namespace,
        generateName: podNamePrefix(rs.metadata.name ?? ""),
        controllerRef: controllerRefTo(rs, R.replicasets),
      });
      const hash = rs.metadata.labels?.[WorkloadLabels.podTemplateHash];
      if (hash && template.metadata.labels?.[WorkloadLabels.podTemplateHash] === undefined) {
        template.metadata.labels = { ...template.metadata.labels, [WorkloadLabels.podTemplateHash]: hash };
      }
      const error = await slowStartBatch(Math.min(-diff, BURST_REPLICAS), async () => {
        const created = await this.#client.create(R.pods, rs.metadata.namespace, cloneJson(template), {
          fieldManager: NAME,
        });
        this.#expectations.expectCreation(key, created);
        this.#events.event(rs, "Normal", "SuccessfulCreate", `Created pod: ${created.metadata.name}`);
      });
      if (error === undefined) return undefined;
      this.#events.event(rs, "Warning", "FailedCreate", `Error creating: ${errorMessage(error)}`);
      return { reason: "FailedCreate", error };
    }
    if (diff > 0) {
      const victims = podsToDelete(pods, Math.min(diff, BURST_REPLICAS));
      const results = await Promise.allSettled(victims.map((pod) => this.#deletePod(key, rs, pod)));
      const failed = results.find((r) => r.status === "rejected");
      if (!failed) return undefined;
      this.#events.event(rs, "Warning", "FailedDelete", `Error deleting: ${errorMessage(failed.reason)}`);
      return { reason: "FailedDelete", error: failed.reason };
    }
    return undefined;
  }

  async #deletePod(key: string, rs: KubeObject, pod: KubeObject): Promise<void> {
    try {
      await this.#client.delete(R.pods, pod.metadata.namespace, pod.metadata.name ?? "");
      this.#expectations.expectDeletion(key, pod);
      this.#events.event(rs, "Normal", "SuccessfulDelete", `Deleted pod: ${pod.metadata.name}`);
    } catch (error) {
      if (!(error instanceof StatusError && error.reason === "NotFound")) throw error;
    }
  }
}

function replicaSetStatus(
  rs: KubeObject,
  pods: KubeObject[],
  failure: { reason: string; error: unknown } | undefined,
  now: Date,
): Record<string, unknown> {
  const spec = specOf<ReplicaSetSpec>(rs);
  const templateLabels = spec.template?.metadata?.labels ?? {};
  const minReadySeconds = intOr(spec.minReadySeconds, 0);
  const previous = statusOf<ReplicaSetStatus>(rs).conditions;
  let conditions = previous;
  if (failure && !findCondition(previous, "ReplicaFailure")) {
    conditions = setCondition(previous, {
      type: "ReplicaFailure",
      status: "True",
      reason: failure.reason,
      message: errorMessage(failure.error),
      lastTransitionTime: rfc3339(now),
    });
  } else if (!failure && findCondition(previous, "ReplicaFailure")) {
    conditions = withoutCondition(previous, "ReplicaFailure");
  }
  return omitZero(
    {
      replicas: pods.length,
      fullyLabeledReplicas: pods.filter((p) =>
        Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v),
      ).length,
      readyReplicas: pods.filter(isPodReady).length,
      availableReplicas: pods.filter((p) => isPodAvailable(p, minReadySeconds, now)).length,
      observedGeneration: rs.metadata.generation ?? 0,
      conditions,
    },
    ["replicas"],
  );
}
