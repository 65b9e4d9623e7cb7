import {
  type Clock,
  jsonEqual,
  type KubeClient,
  type KubeObject,
  objectKeyOf,
  R,
  type ReconcileResult,
  type Runnable,
  StatusError,
} from "@atoll/kube";
import type { EventRecorder } from "../events/recorder.ts";
import { Expectations } from "./expectations.ts";
import type { WorkloadInformers } from "./informers.ts";
import { selectorMatches } from "./label-selector.ts";
import { childCandidates, claimChildren, controllerKeyOf, controllerOf } from "./owner.ts";
import {
  isPodAvailable,
  isPodRunningAndReady,
  isPodTerminal,
  isPodTerminating,
  podPhase,
} from "./pod-state.ts";
import { createMissingClaims, syncClaimOwners } from "./statefulset-claims.ts";
import {
  missingIdentityLabels,
  newStatefulSetPod,
  ordinalOf,
  podRevision,
  replicasOf,
  type StatefulSetStatus,
  startOrdinal,
  statefulSetSpec,
} from "./statefulset-identity.ts";
import { statefulSetStatus } from "./statefulset-status.ts";
import { errorMessage } from "./status-fields.ts";
import { NO_EVENTS, SyncedController, type WorkloadControllerOptions } from "./synced-controller.ts";
import { computeTemplateHash } from "./template-hash.ts";
import { WorkloadControllerNames } from "./well-known.ts";
import { intOr, type PodTemplate, statusOf } from "./workload-types.ts";

const NAME = WorkloadControllerNames.statefulSet;

type Revisions = { current: string; update: string; currentTemplate: PodTemplate | undefined };

/**
 * The StatefulSet controller: pods `<set>-<ordinal>` with stable identity
 * (pod-name and pod-index labels, hostname, subdomain) and per-ordinal
 * claims from volumeClaimTemplates created before each pod; OrderedReady
 * (one at a time, each after its predecessors are Running and Ready;
 * scale-down from the highest ordinal) or Parallel management; RollingUpdate
 * with partition (highest ordinal first, one pod at a time) or OnDelete;
 * claim retention by ownerReferences.
 *
 * Revisions are `<set>-<hash of the template>`. ControllerRevisions are not
 * served, so the template of the current revision is remembered in memory:
 * after a restart mid-rollout, pods below the partition that must be
 * recreated get the update revision's template instead.
 */
export class StatefulSetController implements Runnable {
  #client: KubeClient;
  #informers: WorkloadInformers;
  #clock: Clock;
  #expectations: Expectations;
  #templates = new Map<string, PodTemplate | undefined>();
  #events: EventRecorder;
  #runner: SyncedController;

  constructor(options: WorkloadControllerOptions) {
    this.#client = options.client;
    this.#events = options.events?.(NAME) ?? NO_EVENTS;
    this.#informers = options.informers;
    this.#clock = options.clock;
    const { pods, statefulsets, persistentvolumeclaims } = options.informers;
    this.#expectations = new Expectations({ children: pods, clock: options.clock });
    this.#runner = new SyncedController({
      name: NAME,
      informers: [pods, statefulsets, persistentvolumeclaims],
      reconcile: (key) => this.#reconcile(key),
      onError: options.onError,
    });
    this.#runner.controller.watches(statefulsets).watches(pods, (pod) => this.#ownersOf(pod));
  }

  start(): void {
    this.#runner.start();
  }

  stop(): void {
    this.#runner.stop();
  }

  #ownersOf(pod: KubeObject): string[] {
    if (controllerOf(pod)) return controllerKeyOf(pod, "StatefulSet");
    return this.#informers.statefulsets
      .list(pod.metadata.namespace)
      .filter(
        (set) =>
          ordinalOf(set, pod) >= 0 && selectorMatches(statefulSetSpec(set).selector, pod.metadata.labels),
      )
      .map(objectKeyOf);
  }

  async #reconcile(key: string): Promise<ReconcileResult> {
    const set = this.#informers.statefulsets.get(key);
    if (!set) {
      this.#expectations.forget(key);
      return undefined;
    }
    const spec = statefulSetSpec(set);
    const pods = await claimChildren({
      client: this.#client,
      resource: R.pods,
      owner: set,
      ownerResource: R.statefulsets,
      candidates: childCandidates(this.#informers.pods, set),
      matches: (pod) => ordinalOf(set, pod) >= 0 && selectorMatches(spec.selector, pod.metadata.labels),
      fieldManager: NAME,
    });
    const revisions = this.#revisions(set);
    if (!set.metadata.deletionTimestamp && this.#expectations.satisfied(key)) {
      await this.#manage(key, set, pods, revisions);
    }
    const now = this.#clock.now();
    const status = statefulSetStatus(set, pods, revisions, now);
    if (!jsonEqual(status, set.status ?? {})) {
      await this.#client.update(
        R.statefulsets,
        set.metadata.namespace,
        { ...set, status },
        { subresource: "status", fieldManager: NAME },
      );
    }
    const minReadySeconds = intOr(spec.minReadySeconds, 0);
    if (minReadySeconds > 0 && (status.availableReplicas ?? 0) !== replicasOf(set)) {
      return { requeueAfterMs: minReadySeconds * 1000 };
    }
    return undefined;
  }

  /** The update revision (remembering its template) and the current one, with its template when known. */
  #revisions(set: KubeObject): Revisions {
    const template = statefulSetSpec(set).template;
    const update = `${set.metadata.name}-${computeTemplateHash(template, statusOf<StatefulSetStatus>(set).collisionCount)}`;
    const uid = set.metadata.uid ?? "";
    this.#templates.set(`${uid}/${update}`, template);
    const current = statusOf<StatefulSetStatus>(set).currentRevision || update;
    const currentTemplate = this.#templates.get(`${uid}/${current}`) ?? template;
    return { current, update, currentTemplate };
  }

  async #manage(key: string, set: KubeObject, pods: KubeObject[], revisions: Revisions): Promise<void> {
    const spec = statefulSetSpec(set);
    const monotonic = spec.podManagementPolicy !== "Parallel";
    const start = startOrdinal(set);
    const count = replicasOf(set);
    const minReadySeconds = intOr(spec.minReadySeconds, 0);
    const now = this.#clock.now();
    const healthy = (pod: KubeObject | undefined) =>
      pod !== undefined &&
      isPodRunningAndReady(pod) &&
      !isPodTerminating(pod) &&
      isPodAvailable(pod, minReadySeconds, now);
    const replicas: Array<KubeObject | undefined> = Array.from({ length: count });
    const condemned: KubeObject[] = [];
    for (const pod of pods) {
      const ordinal = ordinalOf(set, pod);
      if (ordinal >= start && ordinal < start + count) replicas[ordinal - start] = pod;
      else if (ordinal >= 0) condemned.push(pod);
    }
    condemned.sort((a, b) => ordinalOf(set, b) - ordinalOf(set, a));
    const firstUnhealthy = [...replicas, ...[...condemned].reverse()].find((pod) => !healthy(pod));

    for (const [index, pod] of replicas.entries()) {
      const ordinal = start + index;
      if (pod && isPodTerminal(pod)) {
        // A finished member is replaced: delete it now, recreate it once it is gone.
        if (!isPodTerminating(pod)) await this.#delete(key, set, pod);
        if (monotonic) return;
        continue;
      }
      if (!pod) {
        await this.#create(key, set, ordinal, revisions);
        if (monotonic) return;
        continue;
      }
      if (podPhase(pod) === "Pending") await this.#createClaims(set, ordinal);
      if (monotonic && !healthy(pod)) return;
      const labels = missingIdentityLabels(set, pod, ordinal);
      if (labels) {
        await this.#client.patch(
          R.pods,
          pod.metadata.namespace,
          pod.metadata.name ?? "",
          "merge",
          { metadata: { labels } },
          { fieldManager: NAME },
        );
      }
      await syncClaimOwners(this.#client, this.#informers.persistentvolumeclaims, set, pod);
    }
    for (const pod of condemned)
      await syncClaimOwners(this.#client, this.#informers.persistentvolumeclaims, set, pod);
    for (const pod of condemned) {
      if (isPodTerminating(pod)) {
        if (monotonic) return;
        continue;
      }
      if (monotonic && !healthy(pod) && pod !== firstUnhealthy) return;
      await this.#delete(key, set, pod);
      if (monotonic) return;
    }
    if (spec.updateStrategy?.type === "OnDelete") return;
    const partition = intOr(spec.updateStrategy?.rollingUpdate?.partition, 0);
    for (let index = count - 1; index >= partition; index--) {
      const pod = replicas[index];
      if (pod && podRevision(pod) !== revisions.update && !isPodTerminating(pod)) {
        await this.#delete(key, set, pod);
        return;
      }
      if (!healthy(pod)) return;
    }
  }

  async #create(key: string, set: KubeObject, ordinal: number, revisions: Revisions): Promise<void> {
    const spec = statefulSetSpec(set);
    const start = startOrdinal(set);
    const strategy = spec.updateStrategy;
    const current =
      strategy?.type !== "OnDelete" &&
      (strategy?.rollingUpdate
        ? ordinal < start + intOr(strategy.rollingUpdate.partition, 0)
        : ordinal < start + intOr(statusOf<StatefulSetStatus>(set).currentReplicas, 0));
    const [template, revision] = current
      ? [revisions.currentTemplate, revisions.current]
      : [spec.template, revisions.update];
    await this.#createClaims(set, ordinal);
    const pod = newStatefulSetPod(set, template, ordinal, revision);
    const subject = `Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name}`;
    let created: KubeObject;
    try {
      created = await this.#client.create(R.pods, set.metadata.namespace, pod, { fieldManager: NAME });
    } catch (error) {
      this.#events.event(
        set,
        "Warning",
        "FailedCreate",
        `create ${subject} failed error: ${errorMessage(error)}`,
      );
      throw error;
    }
    this.#events.event(set, "Normal", "SuccessfulCreate", `create ${subject} successful`);
    this.#expectations.expectCreation(key, created);
    await syncClaimOwners(this.#client, this.#informers.persistentvolumeclaims, set, created);
  }

  #createClaims(set: KubeObject, ordinal: number): Promise<void> {
    const claims = this.#informers.persistentvolumeclaims;
    return createMissingClaims({ client: this.#client, claims, set, ordinal, events: this.#events });
  }

  async #delete(key: string, set: KubeObject, pod: KubeObject): Promise<void> {
    try {
      await this.#client.delete(R.pods, pod.metadata.namespace, pod.metadata.name ?? "");
      this.#expectations.expectDeletion(key, pod);
      this.#events.event(
        set,
        "Normal",
        "SuccessfulDelete",
        `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`,
      );
    } catch (error) {
      if (!(error instanceof StatusError && error.reason === "NotFound")) throw error;
    }
  }
}
