import type { KubeObject } from "@atoll/kube";
import { isRecord } from "@atoll/kube";

/**
 * How simulated containers (images with no real program) behave, as data:
 * the delays of each lifecycle stage, and how long run-to-completion
 * containers run and with which exit code. Pods can override per pod with
 * annotations, as kwok's stages are steered by pod fields.
 */
export type SimulationProfile = {
  /** Scheduled → ContainerCreating (pod IP assigned). */
  createDelayMs: number;
  /** ContainerCreating → Running and Ready. */
  startDelayMs: number;
  /** How long a container of a run-to-completion pod (restartPolicy Never/OnFailure) runs. */
  runToCompletionMs: number;
};

export const DEFAULT_SIMULATION: SimulationProfile = {
  createDelayMs: 0,
  startDelayMs: 0,
  runToCompletionMs: 1000,
};

/** Pod annotations that steer a simulated pod. */
export const SIM_ANNOTATIONS = {
  /** Seconds a simulated container runs before exiting (run-to-completion pods, or any pod when set). */
  runSeconds: "sim.atoll.io/run-seconds",
  /** Exit code of simulated containers when they finish (default 0). */
  exitCode: "sim.atoll.io/exit-code",
  /** "false" keeps simulated containers unready. */
  ready: "sim.atoll.io/ready",
} as const;

export type SimulatedRun = {
  /** Milliseconds until the container exits, or undefined to run forever. */
  exitAfterMs: number | undefined;
  exitCode: number;
  ready: boolean;
};

/** How a simulated container of this pod behaves. */
export function simulatedRun(pod: KubeObject, profile: SimulationProfile): SimulatedRun {
  const annotations = pod.metadata.annotations ?? {};
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const runToCompletion = spec.restartPolicy === "Never" || spec.restartPolicy === "OnFailure";
  const seconds = Number(annotations[SIM_ANNOTATIONS.runSeconds]);
  const exitAfterMs =
    Number.isFinite(seconds) && annotations[SIM_ANNOTATIONS.runSeconds] !== undefined
      ? seconds * 1000
      : runToCompletion
        ? profile.runToCompletionMs
        : undefined;
  const exitCode = Number(annotations[SIM_ANNOTATIONS.exitCode] ?? 0) || 0;
  return { exitAfterMs, exitCode, ready: annotations[SIM_ANNOTATIONS.ready] !== "false" };
}
