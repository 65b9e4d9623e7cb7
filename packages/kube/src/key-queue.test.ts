import assert from "node:assert/strict";
import { test } from "node:test";
import { KeyQueue, TerminalError } from "./key-queue.ts";

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

test("duplicates merge, one key never runs twice at once, and a change during a run runs it again", async () => {
  const runs: string[] = [];
  let release: () => void = () => {};
  const queue = new KeyQueue({
    reconcile: async (key) => {
      runs.push(key);
      if (key === "a" && runs.filter((k) => k === "a").length === 1)
        await new Promise<void>((r) => (release = r));
      return undefined;
    },
    onError: () => {},
  });
  queue.add("a");
  queue.add("a");
  await tick();
  queue.add("a");
  release();
  await tick(20);
  assert.deepEqual(runs, ["a", "a"]);
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
  await tick(50);
  assert.deepEqual(done, ["b", "c", "d"]);
  await tick(250);
  assert.deepEqual(done, ["b", "c", "d", "slow"]);
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
  await tick(200);
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
  await tick(60);
  assert.equal(runs, 1);
  await tick(300);
  assert.equal(runs, 1, "the later delays were merged away");
  queue.stop();
});
