import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { aggregated, dynamic, placed, runReplicaCases as run, three, weighted } from "./replica-cases.ts";
import { schedule } from "./schedule.ts";
import { input, member, NOW } from "./test-members.ts";

describe("stable rescheduling", () => {
  const prev = (a: number, b: number, c: number) =>
    [
      { name: "k8s-1", replicas: a },
      { name: "k8s-2", replicas: b },
      { name: "k8s-3", replicas: c },
    ].filter((t) => t.replicas > 0);
  run([
    {
      name: "first schedule 6 → 2/2/2",
      clusters: three([10, 10, 10]),
      replicas: 6,
      cpu: "1",
      strategy: dynamic,
      want: { "k8s-1": 2, "k8s-2": 2, "k8s-3": 2 },
    },
    {
      name: "scale 6 → 9: old replicas stay, the 3 new go by room (k8s-3 now full)",
      clusters: three([8, 8, 0]),
      replicas: 9,
      cpu: "1",
      strategy: dynamic,
      previous: prev(2, 2, 2),
      want: { "k8s-1": 4, "k8s-2": 3, "k8s-3": 2 },
    },
    {
      name: "scale 9 → 4: proportional to what each holds (4:3:2)",
      clusters: three([6, 7, 0]),
      replicas: 4,
      cpu: "1",
      strategy: dynamic,
      previous: prev(4, 3, 2),
      want: { "k8s-1": 2, "k8s-2": 1, "k8s-3": 1 },
    },
    {
      name: "same replicas: nothing moves even if room changed",
      clusters: three([0, 16, 16]),
      replicas: 9,
      cpu: "1",
      strategy: dynamic,
      previous: prev(4, 3, 2),
      want: { "k8s-1": 4, "k8s-2": 3, "k8s-3": 2 },
    },
    {
      name: "a member removed: its replicas go to the others by room",
      clusters: three([6, 7, 0]).slice(0, 2),
      replicas: 9,
      cpu: "1",
      strategy: dynamic,
      previous: prev(4, 3, 2),
      want: { "k8s-1": 5, "k8s-2": 4 },
    },
    {
      name: "an eviction: the evicted member gets 0, its replicas go elsewhere",
      clusters: three([6, 7, 0]),
      replicas: 9,
      cpu: "1",
      strategy: dynamic,
      previous: prev(4, 3, 2),
      evictedFrom: ["k8s-2"],
      want: { "k8s-1": 7, "k8s-3": 2 },
    },
    {
      name: "a cordoned holder keeps its replicas but gets none of the new ones",
      clusters: [member("k8s-1", { freeCpu: 10, unschedulable: true }), ...three([10, 10, 10]).slice(1)],
      replicas: 8,
      cpu: "1",
      strategy: dynamic,
      previous: prev(2, 2, 2),
      want: { "k8s-1": 2, "k8s-2": 3, "k8s-3": 3 },
    },
    {
      name: "static weights: the remainder stays where it was",
      clusters: three(),
      replicas: 10,
      strategy: weighted(),
      previous: prev(3, 4, 3),
      want: { "k8s-1": 3, "k8s-2": 4, "k8s-3": 3 },
    },
    {
      name: "static weights: a member removed, the others share all replicas",
      clusters: three().slice(0, 2),
      replicas: 10,
      strategy: weighted(),
      previous: prev(4, 3, 3),
      want: { "k8s-1": 5, "k8s-2": 5 },
    },
    {
      name: "aggregated scale-down keeps the biggest holders",
      clusters: three(),
      replicas: 4,
      cpu: "1",
      strategy: aggregated,
      previous: prev(5, 4, 0),
      want: { "k8s-1": 4 },
    },
    {
      name: "Duplicated: a cordoned holder keeps its copy, a cordoned newcomer gets none",
      clusters: [
        member("k8s-1", { unschedulable: true }),
        member("k8s-2", { unschedulable: true }),
        member("k8s-3"),
      ],
      replicas: 2,
      previous: [{ name: "k8s-1", replicas: 2 }],
      want: { "k8s-1": 2, "k8s-3": 2 },
    },
  ]);
});

describe("failover", () => {
  const dynamic1 = {
    ...input([]),
    replicaRequirements: { cpu: "1" },
    placement: { replicaScheduling: dynamic },
  };
  test("a NoExecute taint on a holder moves its replicas to the others", () => {
    const result = schedule({
      ...dynamic1,
      replicas: 6,
      clusters: [
        member("k8s-1", { taints: [{ key: "cluster.atoll.io/unreachable", effect: "NoExecute" }] }),
        member("k8s-2", { freeCpu: 4 }),
        member("k8s-3", { freeCpu: 2 }),
      ],
      previous: [
        { name: "k8s-1", replicas: 3 },
        { name: "k8s-2", replicas: 3 },
      ],
    });
    assert.deepEqual(placed(result), { "k8s-2": 5, "k8s-3": 1 });
  });
  test("a tolerated NoExecute taint keeps the replicas and says when to look again", () => {
    const taint = {
      key: "cluster.atoll.io/unreachable",
      effect: "NoExecute" as const,
      timeAdded: NOW.toISOString(),
    };
    const result = schedule({
      ...dynamic1,
      replicas: 2,
      placement: {
        replicaScheduling: dynamic,
        clusterTolerations: [
          { key: "cluster.atoll.io/unreachable", operator: "Exists", tolerationSeconds: 30 },
        ],
      },
      clusters: [member("k8s-1", { taints: [taint] }), member("k8s-2")],
      previous: [
        { name: "k8s-1", replicas: 1 },
        { name: "k8s-2", replicas: 1 },
      ],
    });
    assert.deepEqual(result, {
      clusters: [
        { name: "k8s-1", replicas: 1 },
        { name: "k8s-2", replicas: 1 },
      ],
      nextChangeAt: new Date(NOW.getTime() + 30_000),
    });
  });
});
