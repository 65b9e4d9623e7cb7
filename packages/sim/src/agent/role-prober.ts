import type { RunningContainer } from "../runtime/index.ts";
import type { AgentPod } from "./agent-pod.ts";
import { notRunningReason } from "./pod-containers.ts";
import { type RoleProbeSpec, roleOf } from "./protocol.ts";

/**
 * Keeps one pod's role label equal to what its role probe prints, as
 * kbagent's role probe does. One probe at a time: the next starts a period
 * after the last one ended. A container that stops running (killed,
 * restarting, pod terminating) loses its role at once, without waiting for
 * probes to fail; a probe that was running in it is disregarded.
 */
export class RoleProber {
  #pod: AgentPod;
  #spec: RoleProbeSpec;
  #onError: (error: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #terminating = false;
  /** No probe is scheduled: the container is simulated or missing (a changed probe may name another). */
  #idle = false;
  /** The container process the probes run in, watched for its exit. */
  #instance: RunningContainer | undefined;
  #failures = 0;

  constructor(pod: AgentPod, spec: RoleProbeSpec, onError: (error: unknown) => void) {
    this.#pod = pod;
    this.#spec = spec;
    this.#onError = onError;
  }

  start(): void {
    this.#schedule(0);
  }

  /** A changed probe annotation: it applies from the next probe on. */
  update(spec: RoleProbeSpec): void {
    this.#spec = spec;
    if (!this.#idle) return;
    this.#idle = false;
    this.#schedule(0);
  }

  /** The pod changed; once it is terminating, its role goes and probing ends. */
  podChanged(): void {
    if (this.#stopped || this.#terminating || !this.#pod.pod.metadata.deletionTimestamp) return;
    this.#terminating = true;
    clearTimeout(this.#timer);
    this.#instance = undefined;
    this.#write(undefined);
  }

  /** No more probes or writes (the annotation went, the pod went or the member stops). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #schedule(ms: number): void {
    if (this.#stopped || this.#terminating) return;
    this.#timer = setTimeout(() => {
      this.#tick().catch((error: unknown) => {
        this.#onError(error);
        this.#schedule(this.#spec.periodMs);
      });
    }, ms);
  }

  async #tick(): Promise<void> {
    const spec = this.#spec;
    const found = this.#pod.container(spec.container);
    if (found.state === "simulated" || found.state === "missing") {
      if (found.state === "missing")
        this.#pod.warn("InvalidRoleProbe", `role probe: ${notRunningReason(found)}`);
      this.#idle = true;
      return;
    }
    if (found.state === "not-running") {
      this.#lost();
      await this.#pod.setRole(undefined);
      this.#schedule(spec.periodMs);
      return;
    }
    const process = found.process;
    if (process !== this.#instance) {
      this.#instance = process;
      this.#failures = 0;
      void process.exited.then(() => {
        if (this.#instance !== process || this.#stopped) return;
        this.#lost();
        this.#write(undefined);
      });
    }
    const result = await process.exec(spec.command, { timeoutMs: spec.timeoutMs });
    if (this.#stopped || this.#terminating) return;
    if (this.#instance !== process) {
      this.#schedule(spec.periodMs);
      return;
    }
    const role = result.exitCode === 0 ? roleOf(result.stdout) : "";
    if (role !== "") {
      this.#failures = 0;
      await this.#pod.setRole(role);
    } else if (++this.#failures >= spec.failureThreshold) {
      await this.#pod.setRole(undefined);
    }
    this.#schedule(spec.periodMs);
  }

  #lost(): void {
    this.#instance = undefined;
    this.#failures = 0;
  }

  #write(role: string | undefined): void {
    if (this.#stopped) return;
    this.#pod.setRole(role).catch(this.#onError);
  }
}
