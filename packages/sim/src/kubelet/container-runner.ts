import type { KubeObject } from "@atoll/kube";

/** A started container: real (a process) or simulated (a timer). */
export interface ContainerHandle {
  /** Resolves when the container stops, by itself or by `stop`. */
  readonly exited: Promise<ContainerExit>;
  /** SIGTERM, then SIGKILL after `graceMs` (immediate for simulated containers). */
  stop(graceMs: number): Promise<void>;
  /** SIGKILL now, as when a container's process is killed from outside (a fault). */
  kill(): void;
  readonly pid?: number;
}

export type ContainerExit = { exitCode: number; signal?: string | null };

export type ProbeOutcome = { success: boolean; message: string };

/** Starts containers whose image maps to a real program, and probes them. */
export interface ProcessLauncher {
  handles(image: string): boolean;
  start(request: {
    pod: KubeObject;
    container: Record<string, unknown>;
    podIP: string;
    nodeName: string;
    restartCount: number;
  }): Promise<ContainerHandle>;
  probe(request: {
    pod: KubeObject;
    container: Record<string, unknown>;
    probe: Record<string, unknown>;
    podIP: string;
    handle: ContainerHandle;
  }): Promise<ProbeOutcome>;
  /** Removes what the pod's containers left (volumes, logs) once the pod is gone. */
  cleanup(pod: KubeObject): Promise<void>;
}

/** A simulated container: runs until stopped, or exits by itself after `exitAfterMs`. */
export function simulatedContainer(options: {
  exitAfterMs: number | undefined;
  exitCode: number;
}): ContainerHandle {
  let finish: (exit: ContainerExit) => void = () => {};
  const exited = new Promise<ContainerExit>((resolve) => {
    finish = resolve;
  });
  const timer =
    options.exitAfterMs === undefined
      ? undefined
      : setTimeout(() => finish({ exitCode: options.exitCode }), options.exitAfterMs);
  timer?.unref();
  return {
    exited,
    async stop() {
      if (timer) clearTimeout(timer);
      finish({ exitCode: 143, signal: "SIGTERM" });
    },
    kill() {
      if (timer) clearTimeout(timer);
      finish({ exitCode: 137, signal: "SIGKILL" });
    },
  };
}
