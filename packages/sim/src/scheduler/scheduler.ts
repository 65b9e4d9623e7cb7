import type { Clock, Informer, KubeClient, KubeObject, ReconcileResult, Runnable } from "@atoll/kube";
import { Controller, isRecord, objectKeyOf, R, rfc3339, StatusError, splitKey } from "@atoll/kube";
import type { EventRecorder } from "../events/recorder.ts";
import { type NodeInfo, nodeInfo, podRequests } from "./node-info.ts";
import { nodeAffinity } from "./plugins/node-affinity.ts";
import { nodeUnschedulable } from "./plugins/node-unschedulable.ts";
import { podAntiAffinity } from "./plugins/pod-anti-affinity.ts";
import { resourcesFit } from "./plugins/resources-fit.ts";
import { taintToleration } from "./plugins/taint-toleration.ts";
import type { FilterPlugin } from "./plugins/types.ts";

const FILTERS: readonly FilterPlugin[] = [
  nodeUnschedulable,
  taintToleration,
  nodeAffinity,
  resourcesFit,
  podAntiAffinity,
];

export type SchedulerOptions = {
  client: KubeClient;
  pods: Informer;
  nodes: Informer;
  recorder: EventRecorder;
  clock: Clock;
  onError?: (controller: string, key: string, error: unknown) => void;
};

/** The result of one scheduling attempt. */
export type Placement = { node: string } | { unschedulable: string };

/**
 * A kube-scheduler stand-in: snapshot → filter → score → bind for pods with
 * no node. Unschedulable pods get PodScheduled=False and a FailedScheduling
 * event, and are retried when nodes or pods change.
 */
export class Scheduler implements Runnable {
  #options: SchedulerOptions;
  #controller: Controller;
  /** Pods bound but not yet seen bound by the informer, so back-to-back decisions see them. */
  #assumed = new Map<string, { node: string; pod: KubeObject }>();

  constructor(options: SchedulerOptions) {
    this.#options = options;
    this.#controller = new Controller({
      name: "scheduler",
      reconcile: (key) => this.#reconcile(key),
      onError: options.onError,
    });
    this.#controller.watches(options.pods, (pod) => (needsScheduling(pod) ? [objectKeyOf(pod)] : []));
    options.pods.addHandlers({
      onUpdate: (pod) => {
        if (nodeOf(pod)) this.#assumed.delete(objectKeyOf(pod));
      },
      onDelete: (pod) => {
        this.#assumed.delete(objectKeyOf(pod));
        if (nodeOf(pod)) this.#retryPending();
      },
    });
    options.nodes.addHandlers({ onAdd: () => this.#retryPending(), onUpdate: () => this.#retryPending() });
  }

  start(): void {}

  stop(): void {
    this.#controller.stop();
  }

  /** Where the pod would go now, and why not when nowhere. */
  place(pod: KubeObject): Placement {
    const infos = this.#snapshot();
    const reasons = new Map<string, number>();
    const feasible: NodeInfo[] = [];
    for (const info of infos) {
      const reason = FILTERS.map((f) => f.filter(pod, info, infos)).find((r) => r !== undefined);
      if (reason) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      else feasible.push(info);
    }
    if (feasible.length === 0) {
      const detail = [...reasons.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([reason, count]) => `${count} ${reason}`)
        .join(", ");
      const message = `0/${infos.length} nodes are available${detail ? `: ${detail}` : ""}.`;
      return {
        unschedulable: `${message} preemption: 0/${infos.length} nodes are available: ${infos.length} Preemption is not helpful for scheduling.`,
      };
    }
    return { node: best(pod, feasible).name };
  }

  #snapshot(): NodeInfo[] {
    const byNode = new Map<string, KubeObject[]>();
    for (const pod of this.#options.pods.list()) {
      const node = nodeOf(pod) ?? this.#assumed.get(objectKeyOf(pod))?.node;
      if (!node || isTerminal(pod)) continue;
      const list = byNode.get(node) ?? [];
      byNode.set(node, list);
      list.push(pod);
    }
    return this.#options.nodes
      .list()
      .map((node) => nodeInfo(node, byNode.get(node.metadata.name ?? "") ?? []))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async #reconcile(key: string): Promise<ReconcileResult> {
    const pod = this.#options.pods.get(key);
    if (!pod || !needsScheduling(pod) || this.#assumed.has(key)) return undefined;
    const placement = this.place(pod);
    const { namespace, name } = splitKey(key);
    if ("unschedulable" in placement) {
      await this.#markUnschedulable(pod, placement.unschedulable);
      return { requeueAfterMs: 5000 };
    }
    this.#assumed.set(key, { node: placement.node, pod });
    try {
      await this.#options.client.create(
        R.pods,
        namespace,
        {
          apiVersion: "v1",
          kind: "Binding",
          metadata: { name, namespace },
          target: { apiVersion: "v1", kind: "Node", name: placement.node },
        },
        { subresource: "binding" },
      );
    } catch (error) {
      this.#assumed.delete(key);
      if (error instanceof StatusError && (error.reason === "NotFound" || error.reason === "Conflict"))
        return undefined;
      throw error;
    }
    this.#options.recorder.event(
      pod,
      "Normal",
      "Scheduled",
      `Successfully assigned ${key} to ${placement.node}`,
    );
    return undefined;
  }

  async #markUnschedulable(pod: KubeObject, message: string): Promise<void> {
    const status = isRecord(pod.status) ? pod.status : {};
    const conditions = Array.isArray(status.conditions) ? status.conditions.filter(isRecord) : [];
    const current = conditions.find((c) => c.type === "PodScheduled");
    if (current?.status === "False" && current.message === message) return;
    const condition = {
      type: "PodScheduled",
      status: "False",
      reason: "Unschedulable",
      message,
      lastProbeTime: null,
      lastTransitionTime: rfc3339(this.#options.clock.now()),
    };
    const others = conditions.filter((c) => c.type !== "PodScheduled");
    await this.#options.client.patch(
      R.pods,
      pod.metadata.namespace,
      pod.metadata.name ?? "",
      "merge",
      { status: { conditions: [...others, condition] } },
      { subresource: "status" },
    );
    this.#options.recorder.event(pod, "Warning", "FailedScheduling", message);
  }

  #retryPending(): void {
    for (const pod of this.#options.pods.list())
      if (needsScheduling(pod)) this.#controller.enqueue(objectKeyOf(pod));
  }
}

/** Least-allocated scoring, preferring nodes with fewer pods of the same owner (spreading replicas). */
function best(pod: KubeObject, feasible: NodeInfo[]): NodeInfo {
  const wants = podRequests(pod);
  const owner = pod.metadata.ownerReferences?.[0]?.uid;
  const score = (info: NodeInfo) => {
    const free = (used: number, want: number, total: number) =>
      total > 0 ? (total - used - want) / total : 0;
    const balance =
      (free(info.requested.cpu, wants.cpu, info.allocatable.cpu) +
        free(info.requested.memory, wants.memory, info.allocatable.memory)) /
      2;
    const siblings = owner
      ? info.pods.filter((p) => p.metadata.ownerReferences?.some((r) => r.uid === owner)).length
      : 0;
    return balance - siblings;
  };
  // Each node scored once: counting siblings walks every pod on the node.
  const scored = feasible.map((info) => ({ info, score: score(info) }));
  return scored.reduce((a, b) => {
    const diff = b.score - a.score;
    if (Math.abs(diff) > 1e-9) return diff > 0 ? b : a;
    return b.info.pods.length < a.info.pods.length ? b : a;
  }).info;
}

function nodeOf(pod: KubeObject): string | undefined {
  const spec = isRecord(pod.spec) ? pod.spec : {};
  return typeof spec.nodeName === "string" && spec.nodeName ? spec.nodeName : undefined;
}

function isTerminal(pod: KubeObject): boolean {
  const phase = isRecord(pod.status) ? pod.status.phase : undefined;
  return phase === "Succeeded" || phase === "Failed";
}

function needsScheduling(pod: KubeObject): boolean {
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const scheduler = spec.schedulerName ?? "default-scheduler";
  return (
    !nodeOf(pod) && !pod.metadata.deletionTimestamp && !isTerminal(pod) && scheduler === "default-scheduler"
  );
}
