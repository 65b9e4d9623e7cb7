import { rm } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { KubeClient } from "@atoll/kube/client";
import { type Clock, systemClock } from "@atoll/kube/clock";
import { StatusError } from "@atoll/kube/errors";
import type { KubeObject } from "@atoll/kube/object";
import type { Container, Pod, Probe } from "kubernetes-types/core/v1.js";
import type { ContainerHandle, ProbeOutcome, ProcessLauncher } from "../kubelet/container-runner.ts";
import type { LogReader } from "../kubelet/kubelet.ts";
import { cleanupOrphans } from "./container-state.ts";
import { type ExecResult, execInContainer, MAX_EXEC_OUTPUT } from "./exec.ts";
import { containerLogPath, followContainerLog, logFileFor, pruneContainerLogs } from "./logs.ts";
import { prepareContainer } from "./prepare.ts";
import { runProbe } from "./probes.ts";
import { type ContainerProcess, startContainer } from "./process-runtime.ts";
import { type RuntimeConfig, resolveImage, type Which } from "./runtime-config.ts";
import { detectSandbox, type Sandbox } from "./sandbox.ts";
import { removePodVolumes } from "./volumes.ts";

export type LauncherOptions = {
  /** The member's own API, for ConfigMaps, Secrets and claims. */
  client: KubeClient;
  config: RuntimeConfig;
  sandbox: Sandbox;
  /** The member's data dir: `pods/` (volumes, hosts files), `logs/` and `containers/` (records) go beneath it. */
  dataDir: string;
  /** For log timestamps and tokens; default the system clock. */
  clock?: Clock;
  /** Node allocatable for the downward API; default this machine's. */
  allocatable?: Record<string, string>;
  clusterDomain?: string;
};

type Running = {
  app: ContainerProcess;
  env: Record<string, string>;
  hostname: string;
  view?: RunningContainer;
};

/** One run of a container's process (the same object while it runs), for commands run in it from outside (the pod agent). */
export type RunningContainer = {
  /** Resolves when this process has exited; a restart is another RunningContainer. */
  readonly exited: Promise<void>;
  /**
   * Runs a command in the container with its environment plus `env`. `output`
   * (stdout and stderr) and `stdout` keep the last `MAX_EXEC_OUTPUT` characters.
   */
  exec(
    command: string[],
    options: { env?: Record<string, string>; timeoutMs: number },
  ): Promise<ExecResult & { stdout: string }>;
};

/**
 * The kubelet's `ProcessLauncher` and `LogReader` over this runtime: images
 * the runtime config allowlists run as real processes (see README.md), with
 * their logs under `<dataDir>/logs/<ns>_<pod>_<uid>/<container>/<restart>.log`.
 */
export class RealProcessLauncher implements ProcessLauncher, LogReader {
  #options: LauncherOptions;
  #running = new Map<string, Running>();

  constructor(options: LauncherOptions) {
    this.#options = options;
  }

  /**
   * Detects the sandbox (warning if it must fall back) and kills what a
   * previous run of the member left running, then returns a launcher.
   */
  static async create(
    options: Omit<LauncherOptions, "sandbox"> & { which: Which; warn: (message: string) => void },
  ): Promise<RealProcessLauncher> {
    const sandbox = await detectSandbox({
      which: options.which,
      scratchDir: options.dataDir,
      warn: options.warn,
    });
    await cleanupOrphans(join(options.dataDir, "containers"));
    return new RealProcessLauncher({ ...options, sandbox });
  }

  handles(image: string): boolean {
    return resolveImage(this.#options.config, image) !== undefined;
  }

  async start(request: {
    pod: KubeObject;
    container: Record<string, unknown>;
    podIP: string;
    nodeName: string;
    restartCount: number;
  }): Promise<ContainerHandle> {
    const pod = asPod(request.pod);
    const container = request.container as unknown as Container;
    const image = resolveImage(this.#options.config, container.image ?? "");
    if (image === undefined) throw new Error(`image ${container.image} is not run as a process`);
    const { dataDir } = this.#options;
    const prepared = await prepareContainer({
      client: this.#options.client,
      pod,
      container,
      podIP: request.podIP,
      nodeName: request.nodeName,
      volumeRoot: join(dataDir, "pods"),
      dataDir: join(dataDir, "pods"),
      allocatable: this.#options.allocatable,
      clusterDomain: this.#options.clusterDomain,
      clock: this.#options.clock,
    });
    const podLogDir = this.#podLogDir(pod);
    await pruneContainerLogs(podLogDir, container.name, request.restartCount);
    const app = await startContainer({
      sandbox: this.#options.sandbox,
      id: `${pod.metadata?.uid}_${container.name}_${request.restartCount}`,
      stateDir: join(dataDir, "containers"),
      image,
      command: prepared.command,
      args: prepared.args,
      env: prepared.env,
      mounts: prepared.mounts,
      workingDir: prepared.workingDir,
      hostname: prepared.hostname,
      runDir: prepared.containerDir,
      logFile: containerLogPath(podLogDir, container.name, request.restartCount),
      clock: this.#options.clock ?? systemClock,
    });
    const key = runningKey(pod, container.name);
    this.#running.set(key, { app, env: prepared.env, hostname: prepared.hostname });
    void app.exited.then(() => {
      if (this.#running.get(key)?.app === app) this.#running.delete(key);
    });
    return {
      pid: app.pid,
      exited: app.exited.then((exit) => ({ exitCode: exit.exitCode ?? 128, signal: exit.signal })),
      stop: async (graceMs) => {
        await app.stop(graceMs);
      },
      kill: () => {
        try {
          process.kill(app.pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      },
    };
  }

  async probe(request: {
    pod: KubeObject;
    container: Record<string, unknown>;
    probe: Record<string, unknown>;
    podIP: string;
    handle: ContainerHandle;
  }): Promise<ProbeOutcome> {
    const container = request.container as unknown as Container;
    const running = this.#running.get(runningKey(asPod(request.pod), container.name));
    const outcome = await runProbe(request.probe as Probe, {
      podIP: request.podIP,
      container,
      exec: (command, timeoutMs) => {
        const pid = request.handle.pid ?? running?.app.pid;
        if (pid === undefined)
          return Promise.resolve({ exitCode: null, output: "container not running", timedOut: false });
        return execInContainer({
          sandbox: this.#options.sandbox,
          pid,
          command,
          env: running?.env ?? {},
          hostname: running?.hostname,
          timeoutMs,
        });
      },
    });
    return { success: outcome.result === "success", message: outcome.message };
  }

  /** The container's current process, or undefined when it is not running as a process now. */
  runningContainer(pod: KubeObject, container: string): RunningContainer | undefined {
    const running = this.#running.get(runningKey(asPod(pod), container));
    if (running === undefined) return undefined;
    const { app, env, hostname } = running;
    running.view ??= {
      exited: app.exited.then(() => undefined),
      exec: async (command, options) => {
        let stdout = "";
        const result = await execInContainer({
          sandbox: this.#options.sandbox,
          pid: app.pid,
          command,
          env: { ...env, ...options.env },
          hostname,
          timeoutMs: options.timeoutMs,
          keep: "tail",
          onStdout: (chunk) => {
            stdout = (stdout + chunk.toString()).slice(-MAX_EXEC_OUTPUT);
          },
        });
        return { ...result, stdout };
      },
    };
    return running.view;
  }

  async cleanup(pod: KubeObject): Promise<void> {
    const uid = pod.metadata.uid;
    if (uid === undefined || uid === "") return;
    await removePodVolumes(join(this.#options.dataDir, "pods"), uid);
    await rm(this.#podLogDir(asPod(pod)), { recursive: true, force: true });
  }

  async open(
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
  ): Promise<Readable> {
    const typed = asPod(pod);
    const statuses = [
      ...(typed.status?.initContainerStatuses ?? []),
      ...(typed.status?.containerStatuses ?? []),
    ];
    const restartCount = statuses.find((s) => s.name === container)?.restartCount ?? 0;
    let path: string;
    try {
      path = await logFileFor({
        podLogDir: this.#podLogDir(typed),
        container,
        restartCount,
        previous: options.previous,
      });
    } catch (error) {
      throw new StatusError("BadRequest", (error as Error).message, { cause: error });
    }
    const running = options.previous ? undefined : this.#running.get(runningKey(typed, container));
    const stream = followContainerLog(path, {
      tailLines: options.tailLines,
      limitBytes: options.limitBytes,
      timestamps: options.timestamps,
      clock: this.#options.clock,
      signal,
      until: options.follow && running !== undefined ? running.app.exited : Promise.resolve(),
    });
    return Readable.from(withoutLog(stream));
  }

  #podLogDir(pod: Pod): string {
    const meta = pod.metadata ?? {};
    return join(this.#options.dataDir, "logs", `${meta.namespace}_${meta.name}_${meta.uid}`);
  }
}

/** A container that never ran as a process (or not yet) has no log file: nothing to print. */
async function* withoutLog(stream: Readable): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

function runningKey(pod: Pod, container: string): string {
  return `${pod.metadata?.uid}/${container}`;
}

/** The API server validated the object as a Pod; read it through the Pod type. */
function asPod(object: KubeObject): Pod {
  return object as unknown as Pod;
}
