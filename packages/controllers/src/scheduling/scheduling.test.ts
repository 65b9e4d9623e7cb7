import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  CLUSTER_RESOURCE_BINDINGS,
  MEMBER_CLUSTERS,
  type MemberCluster,
  RESOURCE_BINDINGS,
  type ResourceBinding,
  ScheduledReasons,
} from "@atoll/api";
import { type KubeClient, R } from "@atoll/kube";
import { startFleet, type TestFleet, until } from "../testing/fleet.fixture.ts";
import {
  countingClient,
  createBinding,
  ensureNamespace,
  getBinding,
  NAMESPACE,
  placed,
  scheduledCondition,
  untilScheduled,
} from "./bindings.fixture.ts";
import { SchedulingController } from "./scheduling-controller.ts";

/**
 * k8s-1: east/east-a, gold, prod — one 4-cpu node: room for 4 one-cpu replicas
 * k8s-2: east/east-b, silver, prod — three 8-cpu nodes: room for 24
 * k8s-3: west/west-a, gold, dev — 24
 * k8s-4: west/west-b, silver, dev — 24
 */
const LAYOUT = [
  { region: "east", zone: "east-a", labels: { tier: "gold", env: "prod" } },
  { region: "east", zone: "east-b", labels: { tier: "silver", env: "prod" } },
  { region: "west", zone: "west-a", labels: { tier: "gold", env: "dev" } },
  { region: "west", zone: "west-b", labels: { tier: "silver", env: "dev" } },
];
const SMALL_NODE = { cpu: "4", memory: "16Gi", pods: "110", "ephemeral-storage": "100Gi" };
const DIVIDED = { replicaSchedulingType: "Divided", replicaDivisionPreference: "Weighted" } as const;
const DYNAMIC = { ...DIVIDED, weightPreference: { dynamicWeight: "AvailableReplicas" } } as const;

let fleet: TestFleet;
let hub: KubeClient;
let writes: () => string[];
let scheduler: SchedulingController;
const errors: string[] = [];

before(async () => {
  fleet = await startFleet({
    ids: [151, 152, 153, 154],
    memberSpec: (i) => LAYOUT[i],
    simOptions: (i) => (i === 0 ? { nodes: 1, nodeCapacity: SMALL_NODE } : {}),
  });
  hub = fleet.hub;
  await ensureNamespace(hub);
  await until("members report their APIs and room", async () => {
    const list = (await hub.list(MEMBER_CLUSTERS)).items as MemberCluster[];
    return list.every(
      (mc) => mc.status?.apiEnablements?.length && mc.status.resourceSummary?.allocatable?.cpu,
    );
  });
  const counting = countingClient(hub);
  writes = counting.writes;
  scheduler = new SchedulingController({
    ...fleet.context,
    hub: counting.client,
    onError: (controller, key, error) => errors.push(`${controller} ${key}: ${String(error)}`),
  });
  scheduler.start();
});

after(async () => {
  scheduler?.stop();
  await fleet?.stop();
});

describe("replica scheduling", () => {
  test("Duplicated: every member runs the full count", async () => {
    await createBinding(hub, "dup", { replicas: 3 });
    const binding = await untilScheduled(hub, "dup");
    assert.deepEqual(placed(binding), { "k8s-1": 3, "k8s-2": 3, "k8s-3": 3, "k8s-4": 3 });
    const condition = scheduledCondition(binding);
    assert.equal(condition?.reason, ScheduledReasons.Success);
    assert.equal(condition?.observedGeneration, binding.metadata.generation);
    assert.ok(binding.status?.lastScheduledTime);
  });

  test("Divided by static weights that do not divide evenly: 10 at 1:1:1 and 7 at 2:1", async () => {
    await createBinding(hub, "thirds", {
      replicas: 10,
      placement: {
        clusterAffinity: { clusterNames: ["k8s-2", "k8s-3", "k8s-4"] },
        replicaScheduling: DIVIDED,
      },
    });
    await createBinding(hub, "two-to-one", {
      replicas: 7,
      placement: {
        clusterAffinity: { clusterNames: ["k8s-2", "k8s-3"] },
        replicaScheduling: {
          ...DIVIDED,
          weightPreference: {
            staticWeightList: [
              { targetCluster: { clusterNames: ["k8s-2"] }, weight: 2 },
              { targetCluster: { clusterNames: ["k8s-3"] }, weight: 1 },
            ],
          },
        },
      },
    });
    // 10/3 = 3⅓ each: the one left over goes to the first by name; 7·⅔ = 4.67 and 7·⅓ = 2.33: 5 and 2.
    assert.deepEqual(placed(await untilScheduled(hub, "thirds")), { "k8s-2": 4, "k8s-3": 3, "k8s-4": 3 });
    assert.deepEqual(placed(await untilScheduled(hub, "two-to-one")), { "k8s-2": 5, "k8s-3": 2 });
  });

  test("Divided by available replicas: the almost-full member gets fewer", async () => {
    await createBinding(hub, "dynamic", {
      replicas: 10,
      cpu: "1",
      placement: { replicaScheduling: DYNAMIC },
    });
    // Room 4:24:24:24 of 76 → 0.53, 3.16, 3.16, 3.16: floors 0+3+3+3, the one left to the largest fraction.
    assert.deepEqual(placed(await untilScheduled(hub, "dynamic")), {
      "k8s-1": 1,
      "k8s-2": 3,
      "k8s-3": 3,
      "k8s-4": 3,
    });
  });

  test("Aggregated: as few members as hold the replicas, the roomiest first", async () => {
    await createBinding(hub, "packed", {
      replicas: 6,
      cpu: "1",
      placement: {
        replicaScheduling: { replicaSchedulingType: "Divided", replicaDivisionPreference: "Aggregated" },
      },
    });
    assert.deepEqual(placed(await untilScheduled(hub, "packed")), { "k8s-2": 6 });
  });

  test("a cluster-scoped object without replicas goes everywhere, with no replica counts", async () => {
    await hub.create(CLUSTER_RESOURCE_BINDINGS, undefined, {
      apiVersion: "work.atoll.io/v1alpha1",
      kind: "ClusterResourceBinding",
      metadata: { name: "team-a-namespace" },
      spec: { resource: { apiVersion: "v1", kind: "Namespace", name: "team-a" }, placement: {} },
    });
    const binding = await until("the ClusterResourceBinding scheduled", async () => {
      const b = (await hub.get(CLUSTER_RESOURCE_BINDINGS, undefined, "team-a-namespace")) as ResourceBinding;
      return scheduledCondition(b)?.status === "True" ? b : undefined;
    });
    assert.deepEqual(binding.spec.clusters, [
      { name: "k8s-1" },
      { name: "k8s-2" },
      { name: "k8s-3" },
      { name: "k8s-4" },
    ]);
  });
});

describe("where", () => {
  test("spread by region: one member from each of two regions, the roomiest of each", async () => {
    await createBinding(hub, "spread", {
      replicas: 4,
      cpu: "1",
      placement: {
        spreadConstraints: [
          { spreadByField: "region", minGroups: 2, maxGroups: 2 },
          { spreadByField: "cluster", minGroups: 2, maxGroups: 2 },
        ],
        replicaScheduling: DYNAMIC,
      },
    });
    assert.deepEqual(placed(await untilScheduled(hub, "spread")), { "k8s-2": 2, "k8s-3": 2 });
  });

  test("cluster affinity by labels, by names, and by fields", async () => {
    await createBinding(hub, "gold", {
      replicas: 1,
      placement: { clusterAffinity: { labelSelector: { matchLabels: { tier: "gold" } } } },
    });
    await createBinding(hub, "named", {
      replicas: 1,
      placement: { clusterAffinity: { clusterNames: ["k8s-2", "k8s-4"] } },
    });
    await createBinding(hub, "west-dev", {
      replicas: 1,
      placement: {
        clusterAffinity: {
          fieldSelector: { matchExpressions: [{ key: "region", operator: "In", values: ["west"] }] },
          labelSelector: { matchExpressions: [{ key: "env", operator: "In", values: ["dev"] }] },
          exclude: ["k8s-4"],
        },
      },
    });
    assert.deepEqual(placed(await untilScheduled(hub, "gold")), { "k8s-1": 1, "k8s-3": 1 });
    assert.deepEqual(placed(await untilScheduled(hub, "named")), { "k8s-2": 1, "k8s-4": 1 });
    assert.deepEqual(placed(await untilScheduled(hub, "west-dev")), { "k8s-3": 1 });
  });

  test("nothing fits: Scheduled False, NoClusterFit, and why for every member; fixed by a placement change", async () => {
    await createBinding(hub, "nowhere", {
      replicas: 2,
      placement: { clusterAffinity: { labelSelector: { matchLabels: { tier: "platinum" } } } },
    });
    const failed = await until("NoClusterFit", async () => {
      const b = await getBinding(hub, "nowhere");
      return scheduledCondition(b)?.status === "False" ? b : undefined;
    });
    const condition = scheduledCondition(failed);
    assert.equal(condition?.reason, ScheduledReasons.NoClusterFit);
    const mismatch = "cluster(s) didn't match the placement cluster affinity constraint";
    assert.equal(
      condition?.message,
      [
        `0/4 clusters are available: 4 ${mismatch}.`,
        ...["k8s-1", "k8s-2", "k8s-3", "k8s-4"].map((m) => `${m}: ${mismatch}`),
      ].join("\n"),
    );
    assert.equal(failed.spec.clusters, undefined);
    assert.equal(failed.status?.schedulerObservedGeneration, undefined);

    await hub.patch(RESOURCE_BINDINGS, NAMESPACE, "nowhere-deployment", "merge", {
      spec: { placement: { clusterAffinity: { labelSelector: { matchLabels: { tier: "silver" } } } } },
    });
    assert.deepEqual(placed(await untilScheduled(hub, "nowhere")), { "k8s-2": 2, "k8s-4": 2 });
  });

  test("a spread that cannot be met says so and keeps the previous clusters", async () => {
    await createBinding(hub, "two-regions", {
      replicas: 2,
      placement: { spreadConstraints: [{ spreadByField: "region", minGroups: 2 }] },
    });
    const before = await untilScheduled(hub, "two-regions");
    await hub.patch(RESOURCE_BINDINGS, NAMESPACE, "two-regions-deployment", "merge", {
      spec: { placement: { spreadConstraints: [{ spreadByField: "region", minGroups: 3 }] } },
    });
    const failed = await until("spread unsatisfied", async () => {
      const b = await getBinding(hub, "two-regions");
      return scheduledCondition(b)?.status === "False" ? b : undefined;
    });
    assert.equal(scheduledCondition(failed)?.reason, ScheduledReasons.NoClusterFit);
    assert.match(scheduledCondition(failed)?.message ?? "", /^0\/4 clusters are available: /);
    assert.deepEqual(failed.spec.clusters, before.spec.clusters);
    assert.equal(failed.status?.schedulerObservedGeneration, before.metadata.generation);
  });
});

describe("rescheduling", () => {
  test("scaling 6 → 9 keeps the shares members hold and places only the difference", async () => {
    await createBinding(hub, "steady", {
      replicas: 6,
      cpu: "1",
      placement: { clusterAffinity: { clusterNames: ["k8s-3", "k8s-4"] }, replicaScheduling: DYNAMIC },
    });
    assert.deepEqual(placed(await untilScheduled(hub, "steady")), { "k8s-3": 3, "k8s-4": 3 });
    // k8s-4 fills up: 21 of its 24 cpus taken, room for 3 more one-cpu replicas.
    const k8s4 = fleet.member("k8s-4").client;
    for (const node of [1, 2, 3]) {
      await k8s4.create(R.pods, "default", {
        metadata: { name: `filler-${node}` },
        spec: {
          nodeName: `k8s-4-node-${node}`,
          containers: [{ name: "filler", image: "busybox", resources: { requests: { cpu: "7" } } }],
        },
      });
    }
    await until("k8s-4 reports the filler pods", async () => {
      const mc = (await hub.get(MEMBER_CLUSTERS, undefined, "k8s-4")) as MemberCluster;
      return mc.status?.resourceSummary?.allocated?.cpu === "21000m";
    });
    await hub.patch(RESOURCE_BINDINGS, NAMESPACE, "steady-deployment", "merge", { spec: { replicas: 9 } });
    const scaled = await untilScheduled(hub, "steady");
    // Afresh, room 24:3 would give 8 and 1; steady, both keep 3 and the 3 new go by room (2.67 : 0.33).
    assert.deepEqual(placed(scaled), { "k8s-3": 6, "k8s-4": 3 });
  });

  test("a member joining a label set gains duplicated objects; a divided target losing its label is replaced", async () => {
    await createBinding(hub, "dev-dup", {
      replicas: 2,
      placement: { clusterAffinity: { labelSelector: { matchLabels: { env: "dev" } } } },
    });
    await createBinding(hub, "dev-divided", {
      replicas: 4,
      placement: {
        clusterAffinity: { labelSelector: { matchLabels: { env: "dev" } } },
        replicaScheduling: DIVIDED,
      },
    });
    assert.deepEqual(placed(await untilScheduled(hub, "dev-dup")), { "k8s-3": 2, "k8s-4": 2 });
    assert.deepEqual(placed(await untilScheduled(hub, "dev-divided")), { "k8s-3": 2, "k8s-4": 2 });

    await hub.patch(MEMBER_CLUSTERS, undefined, "k8s-1", "merge", { metadata: { labels: { env: "dev" } } });
    await until(
      "k8s-1 gets the duplicated object",
      async () => placed(await getBinding(hub, "dev-dup"))["k8s-1"] === 2,
    );
    // A divided binding is not reshuffled because a member became eligible.
    assert.deepEqual(placed(await getBinding(hub, "dev-divided")), { "k8s-3": 2, "k8s-4": 2 });

    await hub.patch(MEMBER_CLUSTERS, undefined, "k8s-4", "merge", {
      metadata: { labels: { env: "staging" } },
    });
    const moved = await until("k8s-4 replaced", async () => {
      const b = await getBinding(hub, "dev-divided");
      return placed(b)["k8s-4"] === undefined && scheduledCondition(b)?.status === "True" ? b : undefined;
    });
    assert.deepEqual(placed(moved), { "k8s-1": 2, "k8s-3": 2 });
    await until(
      "k8s-4 loses the duplicated object",
      async () => placed(await getBinding(hub, "dev-dup"))["k8s-4"] === undefined,
    );
    assert.deepEqual(placed(await getBinding(hub, "dev-dup")), { "k8s-1": 2, "k8s-3": 2 });
  });

  test("a member change that moves nothing writes nothing", async () => {
    const settled = await until("every binding settled", async () => {
      const items = (await hub.list(RESOURCE_BINDINGS, { namespace: NAMESPACE })).items as ResourceBinding[];
      const pending = items.filter(
        (b) =>
          b.status?.schedulerObservedGeneration !== b.metadata.generation &&
          scheduledCondition(b)?.status !== "False",
      );
      return pending.length === 0 ? items : undefined;
    });
    const before = writes().length;
    const versions = new Map(settled.map((b) => [b.metadata.name, b.metadata.resourceVersion]));
    // Every binding is looked at again (labels matter), none has a reason to move.
    await hub.patch(MEMBER_CLUSTERS, undefined, "k8s-2", "merge", {
      metadata: { labels: { color: "blue" } },
    });
    // Queued after that pass, so the pass is over once this one is scheduled.
    await createBinding(hub, "sentinel", {
      replicas: 1,
      placement: { clusterAffinity: { labelSelector: { matchLabels: { color: "blue" } } } },
    });
    assert.deepEqual(placed(await untilScheduled(hub, "sentinel")), { "k8s-2": 1 });
    assert.deepEqual(writes().slice(before), [
      `patch resourcebindings ${NAMESPACE}/sentinel-deployment`,
      `patch resourcebindings/status ${NAMESPACE}/sentinel-deployment`,
    ]);
    const after = (await hub.list(RESOURCE_BINDINGS, { namespace: NAMESPACE })).items as ResourceBinding[];
    for (const b of after) {
      if (versions.has(b.metadata.name))
        assert.equal(b.metadata.resourceVersion, versions.get(b.metadata.name), b.metadata.name);
    }
    assert.deepEqual(errors, []);
  });
});
