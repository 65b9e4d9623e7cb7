import assert from "node:assert/strict";
import { test } from "node:test";
import type { Clock, KubeObject } from "@atoll/kube";
import { JobBackoff, podsForRemoval } from "./job-pods.ts";

test("failed pods back the Job off exponentially from the last failure, until a success", () => {
  let now = Date.parse("2025-01-01T00:00:00Z");
  const clock: Clock = { now: () => new Date(now) };
  const backoff = new JobBackoff({ clock, initialMs: 10_000, maxMs: 25_000 });
  const failed = (at: number): KubeObject => ({
    metadata: { name: "p" },
    status: {
      phase: "Failed",
      conditions: [{ type: "Ready", status: "False", lastTransitionTime: new Date(at).toISOString() }],
    },
  });
  assert.equal(backoff.remainingMs("j"), 0);
  backoff.record("j", [], [failed(now)]);
  assert.equal(backoff.remainingMs("j"), 10_000);
  now += 4_000;
  assert.equal(backoff.remainingMs("j"), 6_000);
  backoff.record("j", [], [failed(now)]);
  assert.equal(backoff.remainingMs("j"), 20_000);
  backoff.record("j", [], [failed(now)]);
  assert.equal(backoff.remainingMs("j"), 25_000, "capped at maxMs");
  backoff.record("j", [{ metadata: { name: "ok" } }], []);
  assert.equal(backoff.remainingMs("j"), 0, "a success resets it");
});

test("an Indexed Job removes duplicate and out-of-range indexes first", () => {
  const pod = (name: string, index: string, ready: boolean): KubeObject => ({
    metadata: {
      name,
      annotations: { "batch.kubernetes.io/job-completion-index": index },
      creationTimestamp: "2025-01-01T00:00:00Z",
    },
    status: { phase: "Running", conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
  });
  const pods = [pod("a", "0", true), pod("b", "0", false), pod("c", "1", true), pod("d", "7", true)];
  const removed = podsForRemoval(pods, 2, true, 3).map((p) => p.metadata.name);
  assert.deepEqual(removed.sort(), ["b", "d"]);
  assert.deepEqual(
    podsForRemoval(pods.slice(0, 1), 0, false, 3).map((p) => p.metadata.name),
    ["a"],
  );
});
