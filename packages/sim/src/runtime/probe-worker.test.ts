import assert from "node:assert/strict";
import { test } from "node:test";
import type { Probe } from "kubernetes-types/core/v1.js";
import { type ProbeKind, type ProbeTransition, ProbeWorker, type Timers } from "./probe-worker.ts";
import type { ProbeOutcome } from "./probes.ts";

/** A manual clock and timer queue: `advance` (seconds) runs due callbacks in time order, letting promises settle. */
class FakeTime implements Timers {
  #now = Date.parse("2026-01-01T00:00:00Z");
  #queue: Array<{ at: number; callback: () => void; id: number }> = [];
  #ids = 0;
  readonly clock = { now: () => new Date(this.#now) };

  setTimeout(callback: () => void, ms: number): unknown {
    const id = ++this.#ids;
    this.#queue.push({ at: this.#now + ms, callback, id });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#queue = this.#queue.filter((t) => t.id !== handle);
  }

  async advance(seconds: number): Promise<void> {
    const end = this.#now + seconds * 1000;
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      this.#queue.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.#queue[0];
      if (next === undefined || next.at > end) break;
      this.#queue.shift();
      this.#now = next.at;
      next.callback();
    }
    this.#now = end;
    await new Promise((resolve) => setImmediate(resolve));
  }

  get elapsedSeconds(): number {
    return (this.#now - Date.parse("2026-01-01T00:00:00Z")) / 1000;
  }
}

function harness(kind: ProbeKind, probe: Probe, script: Array<"success" | "failure">) {
  const time = new FakeTime();
  const attempts: number[] = [];
  const transitions: Array<ProbeTransition & { at: number }> = [];
  let next = 0;
  const worker = new ProbeWorker({
    kind,
    probe,
    clock: time.clock,
    timers: time,
    startedAt: time.clock.now(),
    run: async (): Promise<ProbeOutcome> => {
      attempts.push(time.elapsedSeconds);
      const result = script[Math.min(next++, script.length - 1)];
      return { result, message: `attempt ${next}` };
    },
    onTransition: (transition) => transitions.push({ ...transition, at: time.elapsedSeconds }),
  });
  return { time, worker, attempts, transitions };
}

test("readiness starts failed and flips only after the thresholds", async () => {
  const probe = { periodSeconds: 5, successThreshold: 2, failureThreshold: 2 };
  const script = ["failure", "success", "success", "failure", "success", "failure", "failure"] as const;
  const { time, worker, attempts, transitions } = harness("readiness", probe, [...script]);
  assert.equal(worker.state, "failure");
  worker.start();
  await time.advance(40);
  worker.stop();
  assert.deepEqual(attempts, [0, 5, 10, 15, 20, 25, 30, 35, 40]);
  assert.deepEqual(
    transitions.map((t) => [t.from, t.to, t.at]),
    [
      ["failure", "success", 10],
      ["success", "failure", 30],
    ],
  );
  assert.equal(transitions[0].message, "attempt 3");
});

test("nothing is probed before initialDelaySeconds; defaults are a 10 s period and 3 failures", async () => {
  const { time, worker, attempts, transitions } = harness("liveness", { initialDelaySeconds: 15 }, [
    "failure",
  ]);
  assert.equal(worker.state, "success");
  worker.start();
  await time.advance(60);
  assert.deepEqual(attempts, [20, 30, 40], "held after the liveness failure");
  assert.deepEqual(
    transitions.map((t) => [t.to, t.at]),
    [["failure", 40]],
  );
  await time.advance(30);
  assert.equal(attempts.length, 3);
  worker.restarted(time.clock.now());
  assert.equal(worker.state, "success", "a new container starts from the initial value");
  await time.advance(30);
  assert.deepEqual(
    attempts.slice(3),
    [110, 120],
    "the initial delay applies to the new container (restarted at 90)",
  );
  worker.stop();
});

test("startup reports once, then holds", async () => {
  const { time, worker, attempts, transitions } = harness(
    "startup",
    { periodSeconds: 1, failureThreshold: 30 },
    ["failure", "failure", "success"],
  );
  assert.equal(worker.state, "unknown");
  worker.start();
  await time.advance(10);
  worker.stop();
  assert.deepEqual(attempts, [0, 1, 2]);
  assert.deepEqual(
    transitions.map((t) => [t.from, t.to]),
    [["unknown", "success"]],
  );
});

test("a slow attempt makes the worker skip ticks rather than overlap", async () => {
  const time = new FakeTime();
  let running = 0;
  let most = 0;
  const worker = new ProbeWorker({
    kind: "readiness",
    probe: { periodSeconds: 1 },
    clock: time.clock,
    timers: time,
    startedAt: time.clock.now(),
    run: async () => {
      most = Math.max(most, ++running);
      await new Promise<void>((resolve) => time.setTimeout(resolve, 2500));
      running--;
      return { result: "success", message: "" };
    },
    onTransition: () => {},
  });
  worker.start();
  await time.advance(10);
  worker.stop();
  assert.equal(most, 1);
  assert.equal(worker.state, "success");
});
