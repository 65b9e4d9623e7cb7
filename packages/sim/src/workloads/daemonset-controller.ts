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
  StatusError,
} from "@atoll/kube";
import type { EventRecorder } from "../events/recorder.ts";
import { byAgeAndPhase, daemonSetSpec, daemonSetStatus } from "./daemonset-status.ts";
import { Expectations } from "./expectations.ts";
import type { WorkloadInformers } from "./informers.ts";
import { scaledValue } from "./int-or-percent.ts";
import { selectorMatches } from "./label-selector.ts";
import {
  daemonPodTolerations,
  nodeShouldRunDaemonPod,
  pinnedToNode,
  targetNodeName,
} from "./node-placement.ts";
import { childCandidates, claimChildren, controllerKeyOf, controllerOf, controllerRefTo } from "./owner.ts";
import {
  isPodAvailable,
  isPodTerminal,
  isPodTerminating,
  nextAvailabilityMs,
  podPhase,
} from "./pod-state.ts";
import { podFromTemplate, podNamePrefix } from "./pod-template.ts";
import { slowStartBatch } from "./slow-start.ts";
import { errorMessage } from "./status-fields.ts";
import { NO_EVENTS, SyncedController, type WorkloadControllerOptions } from "./synced-controller.ts";
import { computeTemplateHash } from "./template-hash.ts";
import { WorkloadControllerNames, WorkloadLabels } from "./well-known.ts";
import { intOr, type PodSpec } from "./workload-types.ts";

const NAME = WorkloadControllerNames.daemonSet;
/** Kubernetes' back-off before replacing a daemon pod that failed on a node: 1 s doubling to 15 min. */
const FAILED_POD_BACKOFF = { initialMs: 1000, maxMs: 15 * 60_000 };

/**
 * The DaemonSet controller: one pod per node that the template's
 * nodeSelector and node affinity admit and whose NoSchedule/NoExecute taints
 * it tolerates (with the default daemon tolerations); each pod is pinned to
 * its node by a required node-affinity term on `metadata.name`, as
 * Kubernetes ≥ 1.12 does, for the scheduler to bind. Pods on nodes that no
 * longer qualify, or that no longer exist, are deleted; failed pods are
 * replaced with back-off. RollingUpdate replaces old pods at most
 * `maxUnavailable` nodes at a time; OnDelete waits for them to be deleted.
 */
export class DaemonSetController implements Runnable {
  #client: KubeClient;
  #informers: WorkloadInformers;
  #clock: Clock;
  #expectations: Expectations;
  #backoff = new Map<string, { delayMs: number; until: number }>();
  #events: EventRecorder;
  #runner: SyncedController;

  constructor(options: WorkloadControllerOptions) {
    this.#client = options.client;
    this.#events = options.events?.(NAME) ?? NO_EVENTS;
    this.#informers = options.informers;
    this.#clock = options.clock;
    const { pods, daemonsets, nodes } = options.informers;
    this.#expectations = new Expectations({ children: pods, clock: options.clock });
    this.#runner = new SyncedController({
      name: NAME,
      informers: [pods, daemonsets, nodes],
      reconcile: (key) => this.#reconcile(key),
      onError: options.onError,
    });
    this.#runner.controller.watches(daemonsets).watches(pods, (pod) => this.#ownersOf(pod));
    const all = () => {
      for (const ds of daemonsets.list()) this.#runner.controller.enqueue(objectKeyOf(ds));
    };
    nodes.addHandlers({
      onAdd: all,
      onDelete: all,
      onUpdate: (node, old) => {
        if (!jsonEqual(node.metadata.labels, old.metadata.labels) || !jsonEqual(node.spec, old.spec)) all();
      },
    });
  }

  start(): void {
    this.#runner.start();
  }

  stop(): void {
    this.#runner.stop();
  }

  #ownersOf(pod: KubeObject): string[] {
    if (controllerOf(pod)) return controllerKeyOf(pod, "DaemonSet");
    return this.#informers.daemonsets
      .list(pod.metadata.namespace)
      .filter((ds) => selectorMatches(daemonSetSpec(ds).selector, pod.metadata.labels))
      .map(objectKeyOf);
  }

  async #reconcile(key: string): Promise<ReconcileResult> {
    const ds = this.#informers.daemonsets.get(key);
    if (!ds) {
      this.#expectations.forget(key);
      return undefined;
    }
    const spec = daemonSetSpec(ds);
    const pods = await claimChildren({
      client: this.#client,
      resource: R.pods,
      owner: ds,
      ownerResource: R.daemonsets,
      candidates: childCandidates(this.#informers.pods, ds),
      matches: (pod) => selectorMatches(spec.selector, pod.metadata.labels),
      fieldManager: NAME,
    });
    const hash = computeTemplateHash(
      spec.template,
      (ds.status as { collisionCount?: number } | undefined)?.collisionCount,
    );
    const nodes = this.#informers.nodes.list();
    const podsByNode = groupByNode(pods);
    let requeueAfterMs: number | undefined;
    if (!ds.metadata.deletionTimestamp && this.#expectations.satisfied(key)) {
      requeueAfterMs = await this.#manage(key, ds, nodes, podsByNode, hash);
      if (this.#expectations.satisfied(key) && spec.updateStrategy?.type !== "OnDelete") {
        await this.#rollingUpdate(key, ds, nodes, podsByNode, hash);
      }
    }
    const now = this.#clock.now();
    const status = daemonSetStatus(ds, nodes, podsByNode, hash, now);
    if (!jsonEqual(status, ds.status ?? {})) {
      await this.#client.update(
        R.daemonsets,
        ds.metadata.namespace,
        { ...ds, status },
        { subresource: "status", fieldManager: NAME },
      );
    }
    const available = nextAvailabilityMs(pods, intOr(spec.minReadySeconds, 0), now);
    const wait = [requeueAfterMs, available].filter((ms): ms is number => ms !== undefined);
    return wait.length > 0 ? { requeueAfterMs: Math.min(...wait) } : undefined;
  }

  /** Creates missing daemon pods and deletes misplaced, duplicate and failed ones; how long a back-off holds a node. */
  async #manage(
    key: string,
    ds: KubeObject,
    nodes: KubeObject[],
    podsByNode: Map<string, KubeObject[]>,
    hash: string,
  ): Promise<number | undefined> {
    const template = daemonSetSpec(ds).template;
    const now = this.#clock.now().getTime();
    const toCreate: string[] = [];
    const toDelete: KubeObject[] = [];
    let backoffMs: number | undefined;
    const known = new Set<string>();
    for (const node of nodes) {
      const nodeName = node.metadata.name ?? "";
      known.add(nodeName);
      const pods = podsByNode.get(nodeName) ?? [];
      const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, template?.spec);
      if (shouldRun && pods.length === 0) {
        toCreate.push(nodeName);
      } else if (shouldContinueRunning) {
        const running: KubeObject[] = [];
        for (const pod of pods) {
          if (isPodTerminating(pod)) continue;
          if (podPhase(pod) !== "Failed") {
            running.push(pod);
            continue;
          }
          const backoffKey = `${key}/${nodeName}`;
          const held = this.#backoff.get(backoffKey);
          if (held && held.until > now) {
            backoffMs = Math.min(backoffMs ?? Number.POSITIVE_INFINITY, held.until - now);
            continue;
          }
          const delayMs = held
            ? Math.min(held.delayMs * 2, FAILED_POD_BACKOFF.maxMs)
            : FAILED_POD_BACKOFF.initialMs;
          this.#backoff.set(backoffKey, { delayMs, until: now + delayMs });
          toDelete.push(pod);
        }
        toDelete.push(...running.sort(byAgeAndPhase).slice(1));
      } else {
        toDelete.push(...pods.filter((pod) => !isPodTerminating(pod)));
      }
    }
    for (const [nodeName, pods] of podsByNode) {
      if (!known.has(nodeName)) toDelete.push(...pods.filter((pod) => !isPodTerminating(pod)));
    }
    await this.#syncNodes(key, ds, toCreate, toDelete, hash);
    return backoffMs;
  }

  /**
   * Deletes old-revision pods (`rollingUpdate`): unavailable ones at once,
   * available ones while fewer than maxUnavailable nodes lack an available
   * pod; the manage pass then creates their replacements.
   */
  async #rollingUpdate(
    key: string,
    ds: KubeObject,
    nodes: KubeObject[],
    podsByNode: Map<string, KubeObject[]>,
    hash: string,
  ): Promise<void> {
    const spec = daemonSetSpec(ds);
    const eligible = nodes.filter((node) => nodeShouldRunDaemonPod(node, spec.template?.spec).shouldRun);
    const rolling = spec.updateStrategy?.rollingUpdate;
    const maxUnavailable = scaledValue(rolling?.maxUnavailable ?? 1, eligible.length, { roundUp: true }) || 1;
    const now = this.#clock.now();
    const minReadySeconds = intOr(spec.minReadySeconds, 0);
    let unavailable = 0;
    const replaceNow: KubeObject[] = [];
    const candidates: KubeObject[] = [];
    for (const node of eligible) {
      const pods = (podsByNode.get(node.metadata.name ?? "") ?? []).filter((pod) => !isPodTerminating(pod));
      const fresh = pods.filter(
        (pod) => pod.metadata.labels?.[WorkloadLabels.controllerRevisionHash] === hash,
      );
      const old = pods.filter((pod) => pod.metadata.labels?.[WorkloadLabels.controllerRevisionHash] !== hash);
      if (fresh.length > 1 || old.length > 1) continue;
      if (fresh.length === old.length) unavailable++;
      else if (fresh.length === 1) {
        if (!isPodAvailable(fresh[0], minReadySeconds, now)) unavailable++;
      } else if (!isPodAvailable(old[0], minReadySeconds, now)) replaceNow.push(old[0]);
      else if (unavailable < maxUnavailable) candidates.push(old[0]);
    }
    const budget = Math.max(0, Math.min(maxUnavailable - unavailable, candidates.length));
    await this.#syncNodes(key, ds, [], [...replaceNow, ...candidates.slice(0, budget)], hash);
  }

  async #syncNodes(
    key: string,
    ds: KubeObject,
    nodeNames: string[],
    toDelete: KubeObject[],
    hash: string,
  ): Promise<void> {
    const results = await Promise.allSettled(toDelete.map((pod) => this.#delete(key, ds, pod)));
    const failedDelete = results.find((r) => r.status === "rejected");
    const spec = daemonSetSpec(ds);
    const template = cloneJson(spec.template ?? {});
    const podSpec: PodSpec = template.spec ?? {};
    podSpec.tolerations = daemonPodTolerations(podSpec);
    template.metadata = {
      ...template.metadata,
      labels: {
        ...template.metadata?.labels,
        [WorkloadLabels.podTemplateGeneration]: String(ds.metadata.generation ?? 0),
        [WorkloadLabels.controllerRevisionHash]: hash,
      },
    };
    const pending = [...nodeNames];
    const failedCreate = await slowStartBatch(pending.length, async () => {
      const nodeName = pending.shift() ?? "";
      const pod = podFromTemplate(template, {
        namespace: ds.metadata.namespace,
        generateName: podNamePrefix(ds.metadata.name ?? ""),
        controllerRef: controllerRefTo(ds, R.daemonsets),
      });
      const spec = pod.spec as PodSpec;
      spec.affinity = pinnedToNode(spec.affinity, nodeName);
      const created = await this.#client.create(R.pods, ds.metadata.namespace, pod, { fieldManager: NAME });
      this.#expectations.expectCreation(key, created);
      this.#events.event(ds, "Normal", "SuccessfulCreate", `Created pod: ${created.metadata.name}`);
    });
    if (failedCreate)
      this.#events.event(ds, "Warning", "FailedCreate", `Error creating: ${errorMessage(failedCreate)}`);
    if (failedDelete) throw failedDelete.reason;
    if (failedCreate) throw failedCreate;
  }

  async #delete(key: string, ds: KubeObject, pod: KubeObject): Promise<void> {
    try {
      await this.#client.delete(R.pods, pod.metadata.namespace, pod.metadata.name ?? "");
      this.#expectations.expectDeletion(key, pod);
      this.#events.event(ds, "Normal", "SuccessfulDelete", `Deleted pod: ${pod.metadata.name}`);
    } catch (error) {
      if (!(error instanceof StatusError && error.reason === "NotFound")) throw error;
    }
  }
}

/** Daemon pods by the node they are for; finished pods already being deleted are left out. */
function groupByNode(pods: KubeObject[]): Map<string, KubeObject[]> {
  const byNode = new Map<string, KubeObject[]>();
  for (const pod of pods) {
    if (isPodTerminal(pod) && isPodTerminating(pod)) continue;
    const node = targetNodeName(pod);
    if (node === undefined) continue;
    byNode.set(node, [...(byNode.get(node) ?? []), pod]);
  }
  return byNode;
}
