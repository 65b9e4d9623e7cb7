import assert from "node:assert/strict";
import { test } from "node:test";
import { explain } from "./explain.ts";
import { schedule } from "./schedule.ts";
import { input, member } from "./test-members.ts";

const dynamic = {
  replicaScheduling: {
    replicaSchedulingType: "Divided" as const,
    replicaDivisionPreference: "Weighted" as const,
    weightPreference: { dynamicWeight: "AvailableReplicas" as const },
  },
};

test("says per member whether it was selected, passed over or rejected, with score, room and why", () => {
  const request = input(
    [
      member("k8s-1", { freeCpu: 6 }),
      member("k8s-2", { freeCpu: 4 }),
      member("k8s-3", { unschedulable: true }),
      member("k8s-4", { taints: [{ key: "cluster.atoll.io/unreachable", effect: "NoSchedule" }] }),
      member("k8s-5", { freeCpu: 0 }),
      member("k8s-6", { freeCpu: 2 }),
    ],
    {
      replicas: 6,
      replicaRequirements: { cpu: "1" },
      placement: {
        ...dynamic,
        spreadConstraints: [{ spreadByField: "cluster", minGroups: 3, maxGroups: 3 }],
      },
      previous: [
        { name: "k8s-2", replicas: 2 },
        { name: "k8s-3", replicas: 1 },
      ],
    },
  );
  const explanation = explain(request);
  assert.deepEqual(explanation.result, schedule(request));
  assert.equal(explanation.strategy, "DynamicWeight");
  assert.deepEqual(explanation.fallbacks, []);
  assert.deepEqual(explanation.members, [
    {
      name: "k8s-1",
      verdict: "selected",
      replicas: 2,
      score: 0,
      available: 6,
      reasons: ["score 0", "room for 6 more replicas"],
    },
    {
      name: "k8s-2",
      verdict: "selected",
      replicas: 3,
      score: 100,
      available: 4,
      reasons: ["already holds 2 replicas (score 100)", "room for 4 more replicas"],
    },
    {
      name: "k8s-3",
      verdict: "selected",
      replicas: 1,
      score: 100,
      available: 0,
      reasons: [
        "already holds 1 replicas (score 100)",
        "room for 0 more replicas",
        "cluster is cordoned: keeps what it holds, gets nothing new",
      ],
    },
    {
      name: "k8s-4",
      verdict: "rejected",
      reasons: ["cluster(s) had untolerated taint {cluster.atoll.io/unreachable: }"],
    },
    {
      name: "k8s-5",
      verdict: "passed-over",
      score: 0,
      available: 0,
      reasons: [
        "not chosen by the cluster spread constraint (3 of 5 feasible clusters selected)",
        "score 0",
        "room for 0 more replicas",
      ],
    },
    {
      name: "k8s-6",
      verdict: "passed-over",
      score: 0,
      available: 2,
      reasons: [
        "not chosen by the cluster spread constraint (3 of 5 feasible clusters selected)",
        "score 0",
        "room for 2 more replicas",
      ],
    },
  ]);
});

test("a selected member whose share is 0 says so", () => {
  const explanation = explain(
    input([member("k8s-1", { freeCpu: 4 }), member("k8s-2", { freeCpu: 0 })], {
      replicas: 3,
      replicaRequirements: { cpu: "1" },
      placement: dynamic,
    }),
  );
  assert.deepEqual(explanation.members[1], {
    name: "k8s-2",
    verdict: "passed-over",
    score: 0,
    available: 0,
    reasons: ["score 0", "room for 0 more replicas", "its share of the 3 replicas is 0"],
  });
});

test("names the affinity group used and why earlier groups fell through", () => {
  const explanation = explain(
    input([member("k8s-1", { disabled: true }), member("k8s-2")], {
      placement: {
        clusterAffinities: [
          { affinityName: "primary", clusterNames: ["k8s-1"] },
          { affinityName: "backup", clusterNames: ["k8s-2"] },
        ],
      },
    }),
  );
  assert.equal(explanation.affinityName, "backup");
  assert.deepEqual(explanation.fallbacks, [
    {
      affinityName: "primary",
      message:
        "0/2 clusters are available: 1 cluster(s) didn't match the placement cluster affinity constraint, 1 cluster: cluster is disabled.",
    },
  ]);
  assert.deepEqual(
    explanation.members.map((m) => [m.name, m.verdict]),
    [
      ["k8s-1", "rejected"],
      ["k8s-2", "selected"],
    ],
  );
});
