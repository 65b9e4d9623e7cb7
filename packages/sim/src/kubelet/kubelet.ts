import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import type { Clock, Informer, KubeClient, KubeObject, Runnable } from "@atoll/kube";
import { isRecord, StatusError } from "@atoll/kube";
import type { EventRecorder } from "../events/recorder.ts";
import type { ProcessLauncher } from "./container-runner.ts";
import { PodIpAllocator } from "./pod-ip-allocator.ts";
import { PodWorker } from "./pod-worker.ts";
import { DEFAULT_SIMULATION, type SimulationProfile } from "./simulation.ts";

export type KubeletOptions = {
  client: KubeClient;
  pods: Informer;
  clock: Clock;
  recorder: EventRecorder;
  /** The member's nodes this kubelet runs, with their IPs. */
  nodeIp(node: string): string | undefined;
  podRange: readonly [number, number];
  launcher?: ProcessLauncher;
  simulation?: Partial<SimulationProfile>;
  /** Container restart back-off (Kubernetes: 10 s doubling to 5 min; the simulation defaults to 1 s doubling to 60 s). */
  backoff?: { baseMs: number; maxMs: number };
  /** Logs of real containers (simulated ones have none). */
  logs?: LogReader;
};

export interface LogReader {
  open(
    pod: KubeObject,
    container: string,
    options: {
      follow: boolean;
      tailLines?: number;
      previous: boolean;
      limitBytes?: number;
      timestamps: boolean;
    },
    signal: AbortSignal,
  ): Promise<Readable>;
}

/**
 * A kubelet stand-in for every node of a member: one PodWorker per pod bound
 * to one of its nodes, created when the pod appears and removed when it is gone.
 */
export class Kubelet implements Runnable {
  #options: KubeletOptions;
  #workers = new Map<string, PodWorker>();
  #ips: PodIpAllocator;
  #profile: SimulationProfile;

  constructor(options: KubeletOptions) {
    this.#options = options;
    this.#ips = new PodIpAllocator(options.podRange);
    this.#profile = { ...DEFAULT_SIMULATION, ...options.simulation };
  }

  async start(): Promise<void> {
    await this.#options.pods.synced();
    for (const pod of this.#options.pods.list()) {
      const status = isRecord(pod.status) ? pod.status : {};
      if (typeof status.podIP === "string" && this.#mine(pod))
        this.#ips.reserve(status.podIP, pod.metadata.uid ?? "");
    }
    this.#options.pods.addHandlers({
      onAdd: (pod) => this.#sync(pod),
      onUpdate: (pod) => this.#sync(pod),
      onDelete: (pod) => this.#forget(pod),
    });
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#workers.values()].map((w) => w.shutdown()));
    this.#workers.clear();
  }

  /** Kills a container of a pod this kubelet runs (a fault). False when there is no such running container. */
  killContainer(namespace: string, pod: string, container: string | undefined): boolean {
    const found = this.#options.pods.get(`${namespace}/${pod}`);
    const worker = found ? this.#workers.get(found.metadata.uid ?? "") : undefined;
    if (!found || !worker) return false;
    const spec = isRecord(found.spec) ? found.spec : {};
    const first =
      Array.isArray(spec.containers) && isRecord(spec.containers[0]) ? String(spec.containers[0].name) : "";
    return worker.killContainer(container ?? first);
  }

  /** Number of pods with a worker (running, starting or terminating). */
  get podCount(): number {
    return this.#workers.size;
  }

  /** `kubectl logs`: the container's log, or BadRequest for a container the pod does not have. */
  async openLogs(
    pod: KubeObject,
    options: {
      container?: string;
      follow: boolean;
      tailLines?: number;
      previous: boolean;
      limitBytes?: number;
      timestamps: boolean;
    },
    signal: AbortSignal,
  ): Promise<Readable> {
    const spec = isRecord(pod.spec) ? pod.spec : {};
    const names = [
      ...(Array.isArray(spec.initContainers) ? spec.initContainers : []),
      ...(Array.isArray(spec.containers) ? spec.containers : []),
    ]
      .filter(isRecord)
      .map((c) => String(c.name));
    const main = (Array.isArray(spec.containers) ? spec.containers : [])
      .filter(isRecord)
      .map((c) => String(c.name));
    const container = options.container ?? (main.length === 1 ? main[0] : undefined);
    if (!container) {
      throw new StatusError(
        "BadRequest",
        `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${main.join(" ")}]`,
      );
    }
    if (!names.includes(container)) {
      throw new StatusError("BadRequest", `container ${container} is not valid for pod ${pod.metadata.name}`);
    }
    if (!this.#options.logs) return Readable.from([]);
    return this.#options.logs.open(pod, container, options, signal);
  }

  #mine(pod: KubeObject): boolean {
    const spec = isRecord(pod.spec) ? pod.spec : {};
    return typeof spec.nodeName === "string" && this.#options.nodeIp(spec.nodeName) !== undefined;
  }

  #sync(pod: KubeObject): void {
    if (!this.#mine(pod)) return;
    const uid = pod.metadata.uid ?? "";
    const existing = this.#workers.get(uid);
    if (existing) {
      existing.update(pod);
      return;
    }
    const nodeName = String((pod.spec as Record<string, unknown>).nodeName);
    const worker = new PodWorker(pod, {
      client: this.#options.client,
      clock: this.#options.clock,
      recorder: this.#options.recorder,
      launcher: this.#options.launcher,
      profile: this.#profile,
      nodeIp: this.#options.nodeIp(nodeName) ?? "",
      allocateIp: (owner) => this.#ips.allocate(owner),
      releaseIp: (owner) => this.#ips.release(owner),
      backoff: this.#options.backoff ?? { baseMs: 1000, maxMs: 60_000 },
      containerId: () => randomBytes(32).toString("hex"),
      onGone: (owner) => this.#workers.delete(owner),
    });
    this.#workers.set(uid, worker);
    worker.start();
    if (pod.metadata.deletionTimestamp) worker.update(pod);
  }

  #forget(pod: KubeObject): void {
    const uid = pod.metadata.uid ?? "";
    const worker = this.#workers.get(uid);
    if (!worker) return;
    // Deleted without the kubelet (force delete): stop what still runs.
    this.#workers.delete(uid);
    this.#ips.release(uid);
    void worker.shutdown().then(() => this.#options.launcher?.cleanup(pod));
  }
}
