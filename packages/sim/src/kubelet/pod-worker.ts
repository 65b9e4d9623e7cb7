import type { Clock, KubeClient, KubeObject } from "@atoll/kube";
import { isRecord, R, rfc3339, StatusError } from "@atoll/kube";
import type { EventRecorder } from "../events/recorder.ts";
import { type ContainerHandle, type ProcessLauncher, simulatedContainer } from "./container-runner.ts";
import {
  type ContainerRecord,
  exitReason,
  imageId,
  isRunning,
  isTerminated,
  renderStatus,
  waiting,
} from "./container-state.ts";
import { podConditions, podPhase } from "./pod-phase.ts";
import { startProbeLoop } from "./probe-loop.ts";
import { type SimulationProfile, simulatedRun } from "./simulation.ts";

export type PodWorkerDeps = {
  client: KubeClient;
  clock: Clock;
  recorder: EventRecorder;
  launcher: ProcessLauncher | undefined;
  profile: SimulationProfile;
  nodeIp: string;
  allocateIp(uid: string): string;
  releaseIp(uid: string): void;
  backoff: { baseMs: number; maxMs: number };
  containerId(): string;
  onGone(uid: string): void;
};

type Container = Record<string, unknown> & { name: string; image: string };
type Running = { handle: ContainerHandle; probes: Array<{ stop(): void }>; crashes: number };

/**
 * The kubelet's work for one pod: assign its IP, start its init containers
 * then its containers (real processes or simulated), keep their state,
 * restart them by the pod's policy with back-off, probe them, report status,
 * and on deletion stop them within the grace period and let the pod go.
 */
export class PodWorker {
  #deps: PodWorkerDeps;
  #pod: KubeObject;
  #uid: string;
  #containers: Container[];
  #initContainers: Container[];
  #records = new Map<string, ContainerRecord>();
  #running = new Map<string, Running>();
  #podIP = "";
  #startTime = "";
  #initialized = false;
  #terminating = false;
  #timers = new Set<NodeJS.Timeout>();
  #flushing: Promise<void> | undefined;
  #dirty = false;
  #lastWritten = "";

  constructor(pod: KubeObject, deps: PodWorkerDeps) {
    this.#deps = deps;
    this.#pod = pod;
    this.#uid = pod.metadata.uid ?? "";
    const spec = isRecord(pod.spec) ? pod.spec : {};
    this.#containers = (Array.isArray(spec.containers) ? spec.containers : []) as Container[];
    this.#initContainers = (Array.isArray(spec.initContainers) ? spec.initContainers : []) as Container[];
  }

  /** Begins (or, after a kubelet restart, resumes) the pod's life. */
  start(): void {
    const status = isRecord(this.#pod.status) ? this.#pod.status : {};
    const spec = isRecord(this.#pod.spec) ? this.#pod.spec : {};
    this.#podIP = spec.hostNetwork === true ? this.#deps.nodeIp : this.#deps.allocateIp(this.#uid);
    this.#startTime =
      typeof status.startTime === "string" ? status.startTime : rfc3339(this.#deps.clock.now());
    const previous = new Map<string, Record<string, unknown>>();
    for (const s of [status.containerStatuses, status.initContainerStatuses]) {
      for (const c of Array.isArray(s) ? s.filter(isRecord) : []) previous.set(String(c.name), c);
    }
    for (const c of [...this.#initContainers, ...this.#containers]) {
      const before = previous.get(c.name);
      this.#records.set(c.name, {
        name: c.name,
        image: c.image,
        containerID: `atoll://${this.#deps.containerId()}`,
        state: waiting(this.#initContainers.includes(c) ? "PodInitializing" : "ContainerCreating"),
        lastState: {},
        ready: false,
        started: false,
        restartCount: typeof before?.restartCount === "number" ? before.restartCount : 0,
      });
    }
    if (status.phase === "Succeeded" || status.phase === "Failed") {
      this.#adoptFinished(status);
      return;
    }
    this.#markDirty();
    this.#after(
      this.#deps.profile.createDelayMs + this.#deps.profile.startDelayMs,
      () => void this.#runInitContainers(),
    );
  }

  /** A newer version of the pod arrived from the informer. */
  update(pod: KubeObject): void {
    this.#pod = pod;
    if (pod.metadata.deletionTimestamp && !this.#terminating) void this.#terminate();
  }

  get podIP(): string {
    return this.#podIP;
  }

  /** The running handle of a container, for logs and exec. */
  handle(container: string): ContainerHandle | undefined {
    return this.#running.get(container)?.handle;
  }

  /** Kills a running container (a fault); the restart policy then applies. False when it is not running. */
  killContainer(name: string): boolean {
    const running = this.#running.get(name);
    if (!running) return false;
    running.handle.kill();
    return true;
  }

  /** Stops everything without touching the API (the member is shutting down). */
  async shutdown(): Promise<void> {
    this.#terminating = true;
    for (const timer of this.#timers) clearTimeout(timer);
    await Promise.all([...this.#running.values()].map((r) => this.#stopRunning(r, 0)));
  }

  async #runInitContainers(): Promise<void> {
    for (const container of this.#initContainers) {
      for (;;) {
        if (this.#terminating) return;
        const exit = await this.#runToExit(container);
        if (exit === 0) break;
        if (this.#restartPolicy() === "Never") {
          this.#markDirty();
          return;
        }
        await this.#sleep(this.#backoffMs(this.#records.get(container.name)?.restartCount ?? 1));
      }
    }
    this.#initialized = true;
    for (const container of this.#containers) void this.#startContainer(container);
    this.#markDirty();
  }

  /** Runs an init container to its exit and returns the exit code. */
  async #runToExit(container: Container): Promise<number> {
    const running = await this.#launch(container);
    if (!running) return 1;
    const exit = await running.handle.exited;
    this.#running.delete(container.name);
    this.#recordExit(container.name, exit.exitCode, exit.signal ?? undefined);
    return exit.exitCode;
  }

  async #startContainer(container: Container): Promise<void> {
    const running = await this.#launch(container);
    if (!running) return;
    const exit = await running.handle.exited;
    for (const probe of running.probes) probe.stop();
    this.#running.delete(container.name);
    if (this.#terminating) return;
    this.#recordExit(container.name, exit.exitCode, exit.signal ?? undefined);
    const policy = this.#restartPolicy();
    if (policy === "Never" || (policy === "OnFailure" && exit.exitCode === 0)) {
      this.#markDirty();
      return;
    }
    const record = this.#records.get(container.name);
    if (!record) return;
    const delay = this.#backoffMs(running.crashes + 1);
    record.state = waiting(
      "CrashLoopBackOff",
      `back-off ${Math.round(delay / 1000)}s restarting failed container=${container.name} pod=${this.#pod.metadata.name}_${this.#pod.metadata.namespace}(${this.#uid})`,
    );
    this.#deps.recorder.event(
      this.#pod,
      "Warning",
      "BackOff",
      `Back-off restarting failed container ${container.name} in pod ${this.#pod.metadata.name}_${this.#pod.metadata.namespace}(${this.#uid})`,
    );
    this.#markDirty();
    await this.#sleep(delay);
    if (this.#terminating) return;
    record.restartCount++;
    void this.#startContainer(container);
  }

  /** Starts one container and records it running; undefined when it could not start. */
  async #launch(container: Container): Promise<Running | undefined> {
    const record = this.#records.get(container.name);
    if (!record || this.#terminating) return undefined;
    const launcher = this.#deps.launcher?.handles(container.image) ? this.#deps.launcher : undefined;
    const sim = simulatedRun(this.#pod, this.#deps.profile);
    let handle: ContainerHandle;
    try {
      handle = launcher
        ? await launcher.start({
            pod: this.#pod,
            container,
            podIP: this.#podIP,
            nodeName: String((this.#pod.spec as Record<string, unknown>).nodeName ?? ""),
            restartCount: record.restartCount,
          })
        : simulatedContainer({ exitAfterMs: sim.exitAfterMs, exitCode: sim.exitCode });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      record.state = waiting("CreateContainerError", message);
      this.#deps.recorder.event(this.#pod, "Warning", "Failed", `Error: ${message}`);
      this.#markDirty();
      this.#after(this.#backoffMs(1), () => void this.#startContainer(container));
      return undefined;
    }
    const events = this.#deps.recorder;
    const fieldPath = `spec.containers{${container.name}}`;
    events.event(
      this.#pod,
      "Normal",
      "Pulled",
      `Container image "${container.image}" already present on machine`,
      { fieldPath },
    );
    events.event(this.#pod, "Normal", "Created", `Created container ${container.name}`, { fieldPath });
    events.event(this.#pod, "Normal", "Started", `Started container ${container.name}`, { fieldPath });
    record.containerID = `atoll://${this.#deps.containerId()}`;
    record.state = { running: { startedAt: rfc3339(this.#deps.clock.now()) } };
    record.started = true;
    const readiness = isRecord(container.readinessProbe) ? container.readinessProbe : undefined;
    record.ready = launcher && readiness ? false : sim.ready || launcher !== undefined;
    const running: Running = { handle, probes: [], crashes: 0 };
    this.#running.set(container.name, running);
    if (launcher) this.#startProbes(container, running, launcher);
    this.#markDirty();
    return running;
  }

  #startProbes(container: Container, running: Running, launcher: ProcessLauncher): void {
    const record = this.#records.get(container.name);
    if (!record) return;
    const probe = (spec: Record<string, unknown>) => () =>
      launcher.probe({ pod: this.#pod, container, probe: spec, podIP: this.#podIP, handle: running.handle });
    if (isRecord(container.readinessProbe)) {
      running.probes.push(
        startProbeLoop(
          container.readinessProbe,
          probe(container.readinessProbe),
          (healthy, message) => {
            if (!healthy)
              this.#deps.recorder.event(
                this.#pod,
                "Warning",
                "Unhealthy",
                `Readiness probe failed: ${message}`,
              );
            if (record.ready !== healthy) {
              record.ready = healthy;
              this.#markDirty();
            }
          },
          false,
        ),
      );
    }
    if (isRecord(container.livenessProbe)) {
      running.probes.push(
        startProbeLoop(
          container.livenessProbe,
          probe(container.livenessProbe),
          (healthy, message) => {
            if (healthy) return;
            this.#deps.recorder.event(this.#pod, "Warning", "Unhealthy", `Liveness probe failed: ${message}`);
            this.#deps.recorder.event(
              this.#pod,
              "Normal",
              "Killing",
              `Container ${container.name} failed liveness probe, will be restarted`,
            );
            void running.handle.stop(this.#graceMs());
          },
          true,
        ),
      );
    }
  }

  #recordExit(name: string, exitCode: number, signal: string | undefined): void {
    const record = this.#records.get(name);
    if (!record) return;
    const startedAt = isRunning(record.state)
      ? record.state.running.startedAt
      : rfc3339(this.#deps.clock.now());
    const terminated = {
      terminated: {
        exitCode,
        reason: exitReason(exitCode),
        startedAt,
        finishedAt: rfc3339(this.#deps.clock.now()),
        containerID: record.containerID,
        ...(signal === "SIGKILL" ? { signal: 9 } : signal === "SIGTERM" ? { signal: 15 } : {}),
      },
    };
    record.lastState = isTerminated(record.state) ? record.state : terminated;
    record.state = terminated;
    record.ready = false;
    record.started = false;
    this.#markDirty();
  }

  async #terminate(): Promise<void> {
    this.#terminating = true;
    for (const timer of this.#timers) clearTimeout(timer);
    for (const name of this.#running.keys()) {
      this.#deps.recorder.event(this.#pod, "Normal", "Killing", `Stopping container ${name}`, {
        fieldPath: `spec.containers{${name}}`,
      });
    }
    await Promise.all([...this.#running.values()].map((r) => this.#stopRunning(r, this.#graceMs())));
    await this.#flushing;
    try {
      await this.#deps.client.delete(R.pods, this.#pod.metadata.namespace, this.#pod.metadata.name ?? "", {
        gracePeriodSeconds: 0,
        preconditions: { uid: this.#uid },
      });
    } catch (error) {
      if (!(error instanceof StatusError && (error.reason === "NotFound" || error.reason === "Conflict")))
        throw error;
    }
    this.#deps.releaseIp(this.#uid);
    await this.#deps.launcher?.cleanup(this.#pod);
    this.#deps.onGone(this.#uid);
  }

  async #stopRunning(running: Running, graceMs: number): Promise<void> {
    for (const probe of running.probes) probe.stop();
    await running.handle.stop(graceMs);
  }

  #adoptFinished(status: Record<string, unknown>): void {
    this.#initialized = true;
    for (const c of Array.isArray(status.containerStatuses)
      ? status.containerStatuses.filter(isRecord)
      : []) {
      const record = this.#records.get(String(c.name));
      if (record && isRecord(c.state)) record.state = c.state as ContainerRecord["state"];
    }
  }

  #restartPolicy(): string {
    const spec = isRecord(this.#pod.spec) ? this.#pod.spec : {};
    return typeof spec.restartPolicy === "string" ? spec.restartPolicy : "Always";
  }

  #graceMs(): number {
    const grace = this.#pod.metadata.deletionGracePeriodSeconds;
    const spec = isRecord(this.#pod.spec) ? this.#pod.spec : {};
    const fallback =
      typeof spec.terminationGracePeriodSeconds === "number" ? spec.terminationGracePeriodSeconds : 30;
    return (typeof grace === "number" ? grace : fallback) * 1000;
  }

  #backoffMs(crashes: number): number {
    const { baseMs, maxMs } = this.#deps.backoff;
    return Math.min(baseMs * 2 ** Math.max(0, crashes - 1), maxMs);
  }

  #after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.#after(ms, resolve));
  }

  /** Coalesces status writes: one in flight, one pending at most. */
  #markDirty(): void {
    this.#dirty = true;
    if (!this.#flushing) this.#flushing = this.#flush().finally(() => (this.#flushing = undefined));
  }

  async #flush(): Promise<void> {
    while (this.#dirty) {
      this.#dirty = false;
      await Promise.resolve();
      const status = this.#status();
      const text = JSON.stringify(status);
      if (text === this.#lastWritten) continue;
      try {
        await this.#deps.client.patch(
          R.pods,
          this.#pod.metadata.namespace,
          this.#pod.metadata.name ?? "",
          "merge",
          { status },
          {
            subresource: "status",
            fieldManager: "kubelet",
          },
        );
        this.#lastWritten = text;
      } catch (error) {
        if (error instanceof StatusError && error.reason === "NotFound") return;
        throw error;
      }
    }
  }

  #status() {
    const records = this.#containers
      .map((c) => this.#records.get(c.name))
      .filter((r): r is ContainerRecord => r !== undefined);
    const inits = this.#initContainers
      .map((c) => this.#records.get(c.name))
      .filter((r): r is ContainerRecord => r !== undefined);
    const phase = podPhase(records, this.#restartPolicy(), this.#initialized);
    const now = rfc3339(this.#deps.clock.now());
    const previous =
      isRecord(this.#pod.status) && Array.isArray(this.#pod.status.conditions)
        ? this.#pod.status.conditions.filter(isRecord)
        : [];
    return {
      phase,
      conditions: podConditions({ records, initialized: this.#initialized, phase, previous, now }),
      hostIP: this.#deps.nodeIp,
      hostIPs: [{ ip: this.#deps.nodeIp }],
      podIP: this.#podIP,
      podIPs: [{ ip: this.#podIP }],
      startTime: this.#startTime,
      ...(inits.length > 0
        ? { initContainerStatuses: inits.map((r) => renderStatus(r, imageId(r.image))) }
        : {}),
      containerStatuses: records.map((r) => renderStatus(r, imageId(r.image))),
    };
  }
}
