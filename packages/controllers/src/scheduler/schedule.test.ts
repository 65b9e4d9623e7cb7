import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { describeFitError } from "./fit-error.ts";
import type { Placement } from "./placement-types.ts";
import { failed, placed } from "./replica-cases.ts";
import { schedule } from "./schedule.ts";
import { input, member } from "./test-members.ts";

/** eu has the most room, then ap, then us; ap's two members share a zone. */
const world = () => [
  member("k8s-1", { region: "eu", zone: "eu-1", provider: "aws", freeCpu: 10, labels: { rack: "r1" } }),
  member("k8s-2", { region: "eu", zone: "eu-2", provider: "aws", freeCpu: 10, labels: { rack: "r2" } }),
  member("k8s-3", { region: "us", zone: "us-1", provider: "gcp", freeCpu: 4, labels: { rack: "r1" } }),
  member("k8s-4", { region: "us", zone: "us-2", provider: "gcp", freeCpu: 4, labels: { rack: "r2" } }),
  member("k8s-5", { region: "ap", zone: "ap-1", provider: "azure", freeCpu: 8, labels: { rack: "r1" } }),
  member("k8s-6", { region: "ap", zone: "ap-1", provider: "azure", freeCpu: 8, labels: { rack: "r3" } }),
];
const dynamic: Placement = {
  replicaScheduling: {
    replicaSchedulingType: "Divided",
    replicaDivisionPreference: "Weighted",
    weightPreference: { dynamicWeight: "AvailableReplicas" },
  },
};

describe("ordered cluster affinities", () => {
  const unreachable = { key: "cluster.atoll.io/unreachable", effect: "NoExecute" as const };
  const clusters = (primaryDown: boolean) => [
    member("k8s-1", primaryDown ? { taints: [unreachable] } : {}),
    member("k8s-2", primaryDown ? { disabled: true } : {}),
    member("k8s-3"),
  ];
  const placement: Placement = {
    clusterAffinities: [
      { affinityName: "primary", clusterNames: ["k8s-1", "k8s-2"] },
      { affinityName: "backup", clusterNames: ["k8s-3"] },
    ],
  };
  test("the first group that schedules wins", () => {
    const result = schedule(input(clusters(false), { placement, replicas: 2 }));
    assert.deepEqual(result, {
      clusters: [
        { name: "k8s-1", replicas: 2 },
        { name: "k8s-2", replicas: 2 },
      ],
      affinityName: "primary",
    });
  });
  test("falls back to the next group when the first has no feasible member", () => {
    const result = schedule(input(clusters(true), { placement, replicas: 2 }));
    assert.deepEqual(result, { clusters: [{ name: "k8s-3", replicas: 2 }], affinityName: "backup" });
  });
  test("falls back when the first group has feasible members but cannot satisfy its spread constraint", () => {
    const result = schedule(
      input([member("k8s-1"), member("k8s-2", { disabled: true }), member("k8s-3"), member("k8s-4")], {
        placement: {
          clusterAffinities: [
            { affinityName: "primary", clusterNames: ["k8s-1", "k8s-2"] },
            { affinityName: "backup", clusterNames: ["k8s-3", "k8s-4"] },
          ],
          spreadConstraints: [{ spreadByField: "cluster", minGroups: 2 }],
        },
        replicas: 2,
      }),
    );
    assert.deepEqual(result, {
      clusters: [
        { name: "k8s-3", replicas: 2 },
        { name: "k8s-4", replicas: 2 },
      ],
      affinityName: "backup",
    });
  });
  test("starts from the observed group, as Karmada, so a recovered primary does not pull replicas back", () => {
    const result = schedule(
      input(clusters(false), { placement, replicas: 2, observedAffinityName: "backup" }),
    );
    assert.deepEqual(result, { clusters: [{ name: "k8s-3", replicas: 2 }], affinityName: "backup" });
  });
  test("when every group fails, the error covers each", () => {
    const error = failed(
      schedule(
        input([...clusters(true).slice(0, 2), member("k8s-3", { unschedulable: true })], { placement }),
      ),
    );
    assert.equal(error.reason, "NoFeasibleCluster");
    assert.equal(error.affinityName, "backup");
    assert.equal(
      error.message,
      'affinity "primary": 0/3 clusters are available: 1 cluster(s) didn\'t match the placement cluster affinity constraint, ' +
        "1 cluster(s) had untolerated taint {cluster.atoll.io/unreachable: }, 1 cluster: cluster is cordoned, 1 cluster: cluster is disabled. " +
        'affinity "backup": 0/3 clusters are available: 1 cluster(s) had untolerated taint {cluster.atoll.io/unreachable: }, ' +
        "1 cluster: cluster is cordoned, 1 cluster: cluster is disabled, 2 cluster(s) didn't match the placement cluster affinity constraint.",
    );
    assert.deepEqual(error.members[2], {
      name: "k8s-3",
      reasons: [
        "[primary] cluster is cordoned",
        "[primary] cluster(s) didn't match the placement cluster affinity constraint",
        "[backup] cluster is cordoned",
      ],
    });
  });
});

describe("fit error", () => {
  test("lists every member with why it was rejected, and Karmada's summary", () => {
    const error = failed(
      schedule(
        input(
          [
            member("k8s-1", { apis: [] }),
            member("k8s-2", { taints: [{ key: "cluster.atoll.io/unreachable", effect: "NoSchedule" }] }),
            member("k8s-3", { disabled: true }),
            member("k8s-4", { apis: ["v1 ConfigMap"] }),
            member("k8s-5"),
          ],
          { placement: { clusterAffinity: { clusterNames: ["k8s-1", "k8s-2", "k8s-3", "k8s-4"] } } },
        ),
      ),
    );
    assert.equal(error.reason, "NoFeasibleCluster");
    assert.equal(
      describeFitError(error),
      [
        "0/5 clusters are available: 1 cluster(s) didn't match the placement cluster affinity constraint, " +
          "1 cluster(s) had untolerated taint {cluster.atoll.io/unreachable: }, 1 cluster: cluster is disabled, " +
          "1 cluster: the cluster does not serve apps/v1 Deployment, 1 cluster: the cluster has not reported its served APIs yet.",
        "k8s-1: the cluster has not reported its served APIs yet",
        "k8s-2: cluster(s) had untolerated taint {cluster.atoll.io/unreachable: }",
        "k8s-3: cluster is disabled",
        "k8s-4: the cluster does not serve apps/v1 Deployment",
        "k8s-5: cluster(s) didn't match the placement cluster affinity constraint",
      ].join("\n"),
    );
  });
  test("a member failing several filters lists them all", () => {
    const error = failed(schedule(input([member("k8s-1", { disabled: true, unschedulable: true })])));
    assert.deepEqual(error.members, [
      { name: "k8s-1", reasons: ["cluster is disabled", "cluster is cordoned"] },
    ]);
    assert.equal(
      error.message,
      "0/1 clusters are available: 1 cluster: cluster is cordoned, 1 cluster: cluster is disabled.",
    );
  });
  test("no members at all", () => {
    assert.deepEqual(failed(schedule(input([]))), {
      reason: "NoFeasibleCluster",
      message: "0/0 clusters are available.",
      members: [],
    });
  });
  test("feasible members that could not hold the replicas say so", () => {
    const error = failed(
      schedule(
        input([member("k8s-1", { freeCpu: 1 })], {
          replicas: 3,
          replicaRequirements: { cpu: "1" },
          placement: dynamic,
        }),
      ),
    );
    assert.equal(error.reason, "InsufficientCapacity");
    assert.deepEqual(error.members, [
      {
        name: "k8s-1",
        reasons: ["passed the filters, but the selected clusters have room for 1 more replicas, 3 needed"],
      },
    ]);
  });
  test("deterministic: member order in the input does not matter", () => {
    const members = world();
    const a = schedule(
      input(members, {
        replicas: 10,
        placement: { replicaScheduling: { replicaSchedulingType: "Divided" } },
      }),
    );
    const b = schedule(
      input([...members].reverse(), {
        replicas: 10,
        placement: { replicaScheduling: { replicaSchedulingType: "Divided" } },
      }),
    );
    assert.deepEqual(a, b);
    assert.deepEqual(placed(a), { "k8s-1": 2, "k8s-2": 2, "k8s-3": 2, "k8s-4": 2, "k8s-5": 1, "k8s-6": 1 });
  });
});
