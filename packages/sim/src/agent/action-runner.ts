import { type AgentActionResult, AgentAnnotations } from "@atoll/api";
import type { Clock } from "@atoll/kube";
import type { AgentPod } from "./agent-pod.ts";
import { notRunningReason } from "./pod-containers.ts";
import { type ActionRequestSpec, actionResultId, parseActionRequest } from "./protocol.ts";

/** How often a request waiting for its container to run looks again. */
const CONTAINER_POLL_MS = 200;
/** Pause before writing a result again after the write failed (e.g. the API was down). */
const RESULT_RETRY_MS = 1000;

/**
 * Runs one pod's lifecycle actions, as kbagent does: the command of each new
 * request id once, one at a time, its result written back. A request that
 * arrives while another runs is looked at when that one is done (only the
 * latest request is kept in the annotation, so intermediate ones are skipped).
 */
export class ActionRunner {
  #pod: AgentPod;
  #clock: Clock;
  #onError: (error: unknown) => void;
  #busy = false;
  #stopped = false;
  /** The id last run here, so it is not run again before the informer shows its result. */
  #lastRun: string | undefined;
  /** The request text last reported as unusable (reported once). */
  #lastInvalid: string | undefined;
  /** Pending sleeps: their timers and how to end them early. */
  #sleeps = new Map<NodeJS.Timeout, () => void>();

  constructor(pod: AgentPod, clock: Clock, onError: (error: unknown) => void) {
    this.#pod = pod;
    this.#clock = clock;
    this.#onError = onError;
  }

  /** The pod changed: run its request if it is new and nothing runs. */
  podChanged(): void {
    if (this.#busy || this.#stopped) return;
    const next = this.#next();
    if (next === undefined) return;
    this.#busy = true;
    this.#lastRun = next.id;
    this.#perform(next)
      .catch(this.#onError)
      .finally(() => {
        this.#busy = false;
        this.podChanged();
      });
  }

  /** No new actions and no more writes; a command already running ends by its own timeout. */
  stop(): void {
    this.#stopped = true;
    for (const [timer, wake] of this.#sleeps) {
      clearTimeout(timer);
      wake();
    }
    this.#sleeps.clear();
  }

  /** The request to run now, if any: a usable one, or an unusable one with an id (answered with its error). */
  #next(): ActionRequestSpec | { id: string; error: string } | undefined {
    const annotations = this.#pod.pod.metadata.annotations ?? {};
    const text = annotations[AgentAnnotations.actionRequest];
    if (text === undefined) return undefined;
    const request = parseActionRequest(text);
    const id = request.ok ? request.value.id : request.id;
    if (id === undefined) {
      if (text !== this.#lastInvalid) {
        this.#lastInvalid = text;
        this.#pod.warn("InvalidActionRequest", `action request: ${request.ok ? "" : request.error}`);
      }
      return undefined;
    }
    if (id === this.#lastRun || id === actionResultId(annotations[AgentAnnotations.actionResult]))
      return undefined;
    return request.ok ? request.value : { id, error: request.error };
  }

  async #perform(request: ActionRequestSpec | { id: string; error: string }): Promise<void> {
    const startedAt = this.#clock.now();
    const finish = (exitCode: number | null, output: string): AgentActionResult => ({
      id: request.id,
      exitCode,
      output,
      startedAt: startedAt.toISOString(),
      finishedAt: this.#clock.now().toISOString(),
    });
    const result =
      "error" in request
        ? finish(null, `invalid action request: ${request.error}`)
        : await this.#run(request, startedAt.getTime(), finish);
    if (result !== undefined) await this.#write(result);
  }

  /** Runs the command once its container runs (waiting at most the request's timeout); undefined when stopped. */
  async #run(
    request: ActionRequestSpec,
    startMs: number,
    finish: (exitCode: number | null, output: string) => AgentActionResult,
  ): Promise<AgentActionResult | undefined> {
    const deadline = startMs + request.timeoutMs;
    let found = this.#pod.container(request.container);
    while (found.state === "not-running" && !this.#terminating() && this.#clock.now().getTime() < deadline) {
      await this.#sleep(CONTAINER_POLL_MS);
      if (this.#stopped) return undefined;
      found = this.#pod.container(request.container);
    }
    if (found.state !== "running") {
      const waited = found.state === "not-running" && !this.#terminating();
      const why = notRunningReason(found);
      return finish(null, waited ? `${why} (waited ${request.timeoutMs / 1000}s)` : why);
    }
    const timeoutMs = Math.max(1, deadline - this.#clock.now().getTime());
    const outcome = await found.process.exec(request.command, { env: request.env, timeoutMs });
    if (this.#stopped) return undefined;
    const note = outcome.timedOut ? `\n[agent] timed out after ${request.timeoutMs / 1000}s` : "";
    return finish(outcome.exitCode, `${outcome.output}${note}`);
  }

  /** Writes the result, again after failures, until it is written, the pod is gone or the runner stops. */
  async #write(result: AgentActionResult): Promise<void> {
    for (;;) {
      if (this.#stopped) return;
      try {
        await this.#pod.writeActionResult(result);
        return;
      } catch (error) {
        this.#onError(error);
      }
      await this.#sleep(RESULT_RETRY_MS);
    }
  }

  #terminating(): boolean {
    return this.#pod.pod.metadata.deletionTimestamp !== undefined;
  }

  /** Resolves after `ms`, or at once when the runner stops. */
  #sleep(ms: number): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#sleeps.delete(timer);
        resolve();
      }, ms);
      this.#sleeps.set(timer, resolve);
    });
  }
}
