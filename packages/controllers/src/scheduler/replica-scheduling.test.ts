import { describe } from "node:test";
import { aggregated, dynamic, runReplicaCases as run, three, weighted } from "./replica-cases.ts";
import { member } from "./test-members.ts";

describe("Duplicated", () => {
  run([
    {
      name: "no replicaScheduling: every member gets all replicas",
      clusters: three(),
      replicas: 3,
      want: { "k8s-1": 3, "k8s-2": 3, "k8s-3": 3 },
    },
    {
      name: "explicit Duplicated ignores capacity",
      clusters: three([0, 0, 0]),
      replicas: 2,
      cpu: "1",
      strategy: { replicaSchedulingType: "Duplicated" },
      want: { "k8s-1": 2, "k8s-2": 2, "k8s-3": 2 },
    },
    {
      name: "an object without replicas is just propagated",
      clusters: three(),
      replicas: 0,
      want: { "k8s-1": 0, "k8s-2": 0, "k8s-3": 0 },
    },
    {
      name: "an object without replicas under Divided is still propagated everywhere",
      clusters: three(),
      replicas: 0,
      strategy: weighted(),
      want: { "k8s-1": 0, "k8s-2": 0, "k8s-3": 0 },
    },
  ]);
});

describe("Divided, static weights", () => {
  run([
    {
      name: "no weight list: equal weights, 10 → 4/3/3",
      clusters: three(),
      replicas: 10,
      strategy: weighted(),
      want: { "k8s-1": 4, "k8s-2": 3, "k8s-3": 3 },
    },
    {
      name: "10 over 1:1:1 → 4/3/3, the first by name gets 4",
      clusters: three(),
      replicas: 10,
      strategy: weighted([
        [["k8s-1"], 1],
        [["k8s-2"], 1],
        [["k8s-3"], 1],
      ]),
      want: { "k8s-1": 4, "k8s-2": 3, "k8s-3": 3 },
    },
    {
      name: "9 over 1:2",
      clusters: three(),
      replicas: 9,
      strategy: weighted([
        [["k8s-1"], 1],
        [["k8s-2"], 2],
      ]),
      want: { "k8s-1": 3, "k8s-2": 6 },
    },
    {
      name: "9 over 1:3 → 2/7",
      clusters: three(),
      replicas: 9,
      strategy: weighted([
        [["k8s-1"], 1],
        [["k8s-3"], 3],
      ]),
      want: { "k8s-1": 2, "k8s-3": 7 },
    },
    {
      name: "weights by label selector",
      clusters: three(),
      replicas: 8,
      strategy: {
        ...weighted(),
        weightPreference: {
          staticWeightList: [
            { targetCluster: { labelSelector: { matchLabels: { tier: "gold" } } }, weight: 2 },
            { targetCluster: { labelSelector: { matchLabels: { tier: "silver" } } }, weight: 1 },
          ],
        },
      },
      want: { "k8s-1": 4, "k8s-2": 2, "k8s-3": 2 },
    },
    {
      name: "a member matching several rules takes the largest weight",
      clusters: three(),
      replicas: 6,
      strategy: weighted([
        [["k8s-1", "k8s-2", "k8s-3"], 1],
        [["k8s-3"], 4],
      ]),
      want: { "k8s-1": 1, "k8s-2": 1, "k8s-3": 4 },
    },
    {
      name: "capacity-aware: a full member gets 0, the others share by weight",
      clusters: three([16, 16, 0]),
      replicas: 9,
      cpu: "1",
      strategy: weighted(),
      want: { "k8s-1": 5, "k8s-2": 4 },
    },
    {
      name: "capacity-aware: a nearly full member is capped, the rest goes by weight",
      clusters: three([2, 16, 16]),
      replicas: 12,
      cpu: "1",
      strategy: weighted(),
      want: { "k8s-1": 2, "k8s-2": 5, "k8s-3": 5 },
    },
    {
      name: "without requests, capacity is not considered",
      clusters: three([16, 16, 0]),
      replicas: 9,
      strategy: weighted(),
      want: { "k8s-1": 3, "k8s-2": 3, "k8s-3": 3 },
    },
    {
      name: "capacity-aware: not enough room anywhere",
      clusters: three([1, 2, 3]),
      replicas: 10,
      cpu: "1",
      strategy: weighted(),
      want: { error: "0/3 clusters are available: the weighted clusters can hold 6 of 10 replicas." },
    },
    {
      name: "capacity-aware: replicas a member already runs count as its room",
      clusters: three([0, 16, 16]),
      replicas: 9,
      cpu: "1",
      strategy: weighted(),
      previous: [
        { name: "k8s-1", replicas: 3 },
        { name: "k8s-2", replicas: 3 },
        { name: "k8s-3", replicas: 3 },
      ],
      want: { "k8s-1": 3, "k8s-2": 3, "k8s-3": 3 },
    },
  ]);
});

describe("Divided, dynamic weights (AvailableReplicas)", () => {
  run([
    {
      name: "weights are available replicas: 6/3/0 free, 6 replicas → 4/2",
      clusters: three([6, 3, 0]),
      replicas: 6,
      cpu: "1",
      strategy: dynamic,
      want: { "k8s-1": 4, "k8s-2": 2 },
    },
    {
      name: "memory requests count too: 64Gi and 16Gi free at 16Gi each → 4:1",
      clusters: [
        member("k8s-1"),
        member("k8s-2", {
          summary: { allocatable: { cpu: "16", memory: "64Gi", pods: "110" }, allocated: { memory: "48Gi" } },
        }),
      ],
      replicas: 5,
      strategy: dynamic,
      memory: "16Gi",
      want: { "k8s-1": 4, "k8s-2": 1 },
    },
    {
      name: "not enough room",
      clusters: three([2, 2, 0]),
      replicas: 5,
      cpu: "1",
      strategy: dynamic,
      want: {
        error: "0/3 clusters are available: the selected clusters have room for 4 more replicas, 5 needed.",
      },
    },
    {
      name: "a member without a resource summary has no room",
      clusters: [member("k8s-1", { summary: null }), member("k8s-2")],
      replicas: 4,
      cpu: "1",
      strategy: dynamic,
      want: { "k8s-2": 4 },
    },
  ]);
});

describe("Divided, Aggregated", () => {
  run([
    {
      name: "fits in the roomiest member alone",
      clusters: three([6, 10, 3]),
      replicas: 5,
      cpu: "1",
      strategy: aggregated,
      want: { "k8s-2": 5 },
    },
    {
      name: "as few members as possible, biggest first, divided by room among them",
      clusters: three([6, 10, 3]),
      replicas: 12,
      cpu: "1",
      strategy: aggregated,
      // k8s-2 (10) + k8s-1 (6) suffice; 12 split 10:6 → 7.5/4.5 → 8/4 (tie: the larger weight)
      want: { "k8s-1": 4, "k8s-2": 8 },
    },
    {
      name: "everything needed",
      clusters: three([6, 10, 3]),
      replicas: 19,
      cpu: "1",
      strategy: aggregated,
      want: { "k8s-1": 6, "k8s-2": 10, "k8s-3": 3 },
    },
    {
      name: "scale-up fills members already holding replicas first",
      clusters: three([6, 10, 3]),
      replicas: 5,
      cpu: "1",
      strategy: aggregated,
      previous: [{ name: "k8s-3", replicas: 2 }],
      want: { "k8s-3": 5 },
    },
  ]);
});
