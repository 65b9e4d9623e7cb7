import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { GracefulEvictionTask, ResourceBinding } from "@atoll/api";
import { assessEvictionTasks } from "./graceful-eviction.ts";

const T0 = Date.parse("2025-01-01T00:00:00Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000);

function task(fromCluster: string, extra: Partial<GracefulEvictionTask> = {}): GracefulEvictionTask {
  return {
    fromCluster,
    reason: "TaintUntolerated",
    producer: "taint-manager",
    creationTimestamp: at(0).toISOString(),
    gracePeriodSeconds: 60,
    ...extra,
  };
}

/** A binding evicted from k8s-1, now scheduled on k8s-2 (4) and k8s-3 (2), health per member as given. */
function binding(
  health: Record<string, "Healthy" | "Unhealthy">,
  options: { tasks?: GracefulEvictionTask[]; observed?: number; replicas?: number } = {},
): ResourceBinding {
  return {
    metadata: { name: "web-deployment", namespace: "apps", generation: 3 },
    spec: {
      resource: { apiVersion: "apps/v1", kind: "Deployment", namespace: "apps", name: "web" },
      replicas: options.replicas ?? 6,
      clusters: [
        { name: "k8s-2", replicas: 4 },
        { name: "k8s-3", replicas: 2 },
      ],
      gracefulEvictionTasks: options.tasks ?? [task("k8s-1")],
    },
    status: {
      schedulerObservedGeneration: options.observed ?? 3,
      conditions: [
        {
          type: "Scheduled",
          status: "True",
          reason: "Success",
          message: "",
          lastTransitionTime: at(0).toISOString(),
        },
      ],
      aggregatedStatus: Object.entries(health).map(([clusterName, h]) => ({
        clusterName,
        applied: true,
        health: h,
      })),
    },
  };
}

const ended = (b: ResourceBinding, now = at(10), defaultGracePeriodSeconds = 600) =>
  assessEvictionTasks(b, { now, defaultGracePeriodSeconds }).ended.map(
    (e) => `${e.task.fromCluster}:${e.why}`,
  );

describe("graceful eviction tasks", () => {
  test("end when every new member is applied and healthy", () => {
    assert.deepEqual(ended(binding({ "k8s-2": "Healthy", "k8s-3": "Healthy" })), [
      "k8s-1:ReplacementHealthy",
    ]);
  });

  test("wait while a new member is unhealthy or not reported, and say when the grace period ends", () => {
    const waiting = assessEvictionTasks(binding({ "k8s-2": "Healthy", "k8s-3": "Unhealthy" }), {
      now: at(10),
      defaultGracePeriodSeconds: 600,
    });
    assert.deepEqual(waiting.ended, []);
    assert.deepEqual(waiting.recheckAt, at(60));
    assert.deepEqual(ended(binding({ "k8s-2": "Healthy" })), []);
  });

  test("wait until the scheduler has decided for the current spec, with every replica placed", () => {
    const healthy = { "k8s-2": "Healthy", "k8s-3": "Healthy" } as const;
    assert.deepEqual(ended(binding(healthy, { observed: 2 })), []);
    assert.deepEqual(ended(binding(healthy, { replicas: 7 })), []);
  });

  test("end when the grace period is over, the task's own or the default", () => {
    const unhealthy = { "k8s-2": "Unhealthy", "k8s-3": "Unhealthy" } as const;
    assert.deepEqual(ended(binding(unhealthy), at(59)), []);
    assert.deepEqual(ended(binding(unhealthy), at(60)), ["k8s-1:GracePeriodOver"]);
    const noOwnPeriod = binding(unhealthy, { tasks: [task("k8s-1", { gracePeriodSeconds: undefined })] });
    assert.deepEqual(ended(noOwnPeriod, at(60), 120), []);
    assert.deepEqual(ended(noOwnPeriod, at(120), 120), ["k8s-1:GracePeriodOver"]);
  });

  test("suppressDeletion holds a task whatever happens; clearing it to false ends it", () => {
    const healthy = { "k8s-2": "Healthy", "k8s-3": "Healthy" } as const;
    const held = task("k8s-1", { suppressDeletion: true, gracePeriodSeconds: undefined });
    assert.deepEqual(ended(binding(healthy, { tasks: [held] }), at(100_000)), []);
    const confirmed = task("k8s-4", { suppressDeletion: false, gracePeriodSeconds: undefined });
    assert.deepEqual(ended(binding({}, { tasks: [held, confirmed] })), ["k8s-4:DeletionConfirmed"]);
  });
});
