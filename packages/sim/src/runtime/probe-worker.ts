import type { Clock } from "@atoll/kube/clock";
import type { Probe } from "kubernetes-types/core/v1.js";
import { PROBE_DEFAULTS, type ProbeOutcome } from "./probes.ts";

export type ProbeKind = "liveness" | "readiness" | "startup";

/** A probe's standing result, as the kubelet's results manager holds it. */
export type ProbeState = "success" | "failure" | "unknown";

/** Timers, passed in so tests can drive the schedule. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export type ProbeTransition = { kind: ProbeKind; from: ProbeState; to: ProbeState; message: string };

export type ProbeWorkerOptions = {
  kind: ProbeKind;
  probe: Probe;
  /** One attempt (e.g. `() => runProbe(probe, context)`); a rejection is discarded, as a prober error is. */
  run: () => Promise<ProbeOutcome>;
  clock: Clock;
  timers: Timers;
  /** When the container instance started (`state.running.startedAt`). */
  startedAt: Date;
  /** The standing result changed: readiness, a liveness kill, or startup done/failed. */
  onTransition: (transition: ProbeTransition) => void;
  /** Every attempt, e.g. to record `Unhealthy` events for failures. */
  onAttempt?: (outcome: ProbeOutcome) => void;
};

const initialState: Record<ProbeKind, ProbeState> = {
  liveness: "success",
  readiness: "failure",
  startup: "unknown",
};

/**
 * Runs one container's probe on the kubelet's schedule: an attempt at start
 * and then every `periodSeconds` (ticks that fall while an attempt is still
 * running are skipped), none before `initialDelaySeconds` after the container
 * started. The standing result starts at the kubelet's initial value (liveness
 * success, readiness failure, startup unknown) and changes only after
 * `successThreshold`/`failureThreshold` consecutive equal outcomes. After a
 * liveness failure, or any startup verdict, the worker holds until
 * `restarted()` names a new container instance. Defaults: period 10 s,
 * thresholds 1 and 3.
 */
export class ProbeWorker {
  #options: ProbeWorkerOptions;
  #state: ProbeState;
  #last: "success" | "failure" | undefined;
  #run = 0;
  #onHold = false;
  #busy = false;
  #stopped = true;
  #timer: unknown;
  #nextAt = 0;
  #startedAt: Date;

  constructor(options: ProbeWorkerOptions) {
    this.#options = options;
    this.#state = initialState[options.kind];
    this.#startedAt = options.startedAt;
  }

  /** The standing result. */
  get state(): ProbeState {
    return this.#state;
  }

  /** Starts probing: the first attempt is made at once (if past the initial delay). */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#nextAt = this.#options.clock.now().getTime();
    this.#tick();
  }

  /** Stops probing; an attempt in flight is ignored. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#options.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** A new container instance started: back to the initial value, probing resumes. */
  restarted(startedAt: Date): void {
    this.#startedAt = startedAt;
    this.#onHold = false;
    this.#last = undefined;
    this.#run = 0;
    this.#set(initialState[this.#options.kind], "container restarted");
  }

  #tick(): void {
    if (this.#stopped) return;
    const { probe, clock, timers } = this.#options;
    const period = (probe.periodSeconds ?? PROBE_DEFAULTS.periodSeconds) * 1000;
    const now = clock.now().getTime();
    while (this.#nextAt <= now) this.#nextAt += period;
    this.#timer = timers.setTimeout(() => this.#tick(), this.#nextAt - now);
    const delayMs = (probe.initialDelaySeconds ?? PROBE_DEFAULTS.initialDelaySeconds) * 1000;
    if (this.#busy || this.#onHold || now - this.#startedAt.getTime() < delayMs) return;
    this.#busy = true;
    void this.#attempt().finally(() => {
      this.#busy = false;
    });
  }

  async #attempt(): Promise<void> {
    const startedAt = this.#startedAt;
    let outcome: ProbeOutcome;
    try {
      outcome = await this.#options.run();
    } catch {
      return;
    }
    if (this.#stopped || startedAt !== this.#startedAt || this.#onHold) return;
    this.#options.onAttempt?.(outcome);
    const { probe, kind } = this.#options;
    if (this.#last === outcome.result) this.#run++;
    else {
      this.#last = outcome.result;
      this.#run = 1;
    }
    const threshold =
      outcome.result === "success"
        ? (probe.successThreshold ?? PROBE_DEFAULTS.successThreshold)
        : (probe.failureThreshold ?? PROBE_DEFAULTS.failureThreshold);
    if (this.#run < threshold) return;
    this.#set(outcome.result, outcome.message);
    if ((kind === "liveness" && outcome.result === "failure") || kind === "startup") {
      this.#onHold = true;
      this.#run = 0;
    }
  }

  #set(to: ProbeState, message: string): void {
    const from = this.#state;
    this.#state = to;
    if (from !== to) this.#options.onTransition({ kind: this.#options.kind, from, to, message });
  }
}
