import assert from "node:assert/strict";
import { test } from "node:test";
import { KeyQueue, TerminalError } from "./key-queue.ts";

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await tick(2);
  }
}

test("duplicates merge, one key never runs twice at once, and a change during a run runs it again", async () => {
  const runs: string[] = [];
  let release: () => void = () => {};
  let running = 0;
  let overlapped = false;
  const queue = new KeyQueue({
    concurrency: 4,
    reconcile: async (key) => {
      running++;
      if (running > 1) overlapped = true;
      runs.push(key);
      if (runs.length === 1) await new Promise<void>((r) => (release = r));
      running--;
      return undefined;
    },
    onError: () => {},
  });
  queue.add("a");
  queue.add("a");
  await until(() => runs.length === 1);
  queue.add("a");
  queue.add("a");
  release();
  await until(() => runs.length === 2);
  await tick(50);
  assert.deepEqual(runs, ["a", "a"], "two adds while running merge into one more pass");
  assert.equal(overlapped, false, "never two passes of one key at once");
  queue.stop();
});

test("with concurrency, a slow key does not hold up the others", async () => {
  const done: string[] = [];
  const queue = new KeyQueue({
    concurrency: 4,
    reconcile: async (key) => {
      if (key === "slow") await tick(200);
      done.push(key);
      return undefined;
    },
    onError: () => {},
  });
  for (const key of ["slow", "b", "c", "d"]) queue.add(key);
  await until(() => done.length === 3);
  assert.deepEqual(done, ["b", "c", "d"], "the fast keys finish while the slow one still runs");
  await until(() => done.length === 4);
  assert.equal(done[3], "slow");
  queue.stop();
});

test("failures retry with back-off; terminal errors do not", async () => {
  const attempts = new Map<string, number>();
  const queue = new KeyQueue({
    reconcile: async (key) => {
      attempts.set(key, (attempts.get(key) ?? 0) + 1);
      if (key === "bad") throw new TerminalError("no");
      if ((attempts.get(key) ?? 0) < 3) throw new Error("later");
      return undefined;
    },
    onError: () => {},
  });
  queue.add("flaky");
  queue.add("bad");
  await until(() => attempts.get("flaky") === 3);
  await tick(100);
  assert.equal(attempts.get("flaky"), 3);
  assert.equal(attempts.get("bad"), 1);
  queue.stop();
});

test("a delayed key waits once: the earlier of two delays wins", async () => {
  let runs = 0;
  const queue = new KeyQueue({
    reconcile: async () => {
      runs++;
      return undefined;
    },
    onError: () => {},
  });
  queue.addAfter("k", 30);
  queue.addAfter("k", 300);
  queue.addAfter("k", 10);
  await until(() => runs === 1);
  await tick(400);
  assert.equal(runs, 1, "the later delays were merged away");
  queue.stop();
});
