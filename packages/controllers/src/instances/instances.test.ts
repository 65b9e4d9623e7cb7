/**
 * KubeBlocks' Cluster across a real fleet: the guide's self-hosted etcd
 * manifest created verbatim at the hub with kubectl, replicas checked
 * through each member's own API and the hub's Cluster status.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  type Cluster,
  COMPONENT_DEFINITIONS,
  KB_CLUSTERS,
  KubeBlocksLabels,
  MEMBER_CLUSTERS,
} from "@atoll/api";
import { type KubeObject, R, type ResourceId } from "@atoll/kube";
import { startFleet, type TestFleet, until } from "../testing/fleet.fixture.ts";
import { InstanceController } from "./instance-controller.ts";
import { INSTANCE_FINALIZER, InstanceConditions, InstanceLabels } from "./instance-names.ts";

const SEED = join(import.meta.dirname, "../../../../../shared/seed-manifests/etcd-self-hosted.yaml");
const MEMBERS = ["k8s-1", "k8s-2", "k8s-3"];
const WAIT = 20_000;
let fleet: TestFleet;
let controller: InstanceController;

before(async () => {
  fleet = await startFleet({ ids: [167, 168, 169] });
  await fleet.hub.create(COMPONENT_DEFINITIONS, undefined, {
    apiVersion: "apps.kubeblocks.io/v1alpha1",
    kind: "ComponentDefinition",
    metadata: { name: "etcd-0.9.0" },
    spec: {
      serviceKind: "etcd",
      runtime: {
        containers: [
          {
            name: "etcd",
            image: "atoll.test/etcd:simulated",
            ports: [
              { name: "client", containerPort: 2379 },
              { name: "peer", containerPort: 2380 },
            ],
            volumeMounts: [{ name: "data", mountPath: "/var/run/etcd" }],
          },
        ],
      },
    },
  });
  controller = new InstanceController(fleet.context, { resyncMs: 1000 });
  controller.start();
});
after(async () => {
  controller?.stop();
  await fleet?.stop();
});

async function createSeed(): Promise<string> {
  const created = await fleet.kubectl(["create", "-f", SEED, "-o", "name"]);
  assert.equal(created.code, 0, created.stderr);
  return created.stdout.trim().split("/").pop() ?? "";
}

async function createCluster(
  name: string,
  spec: Partial<Cluster["spec"]>,
  annotations: Record<string, string> = {},
) {
  await fleet.hub.create(KB_CLUSTERS, "default", {
    apiVersion: "apps.kubeblocks.io/v1alpha1",
    kind: "Cluster",
    metadata: { name, annotations },
    spec: {
      terminationPolicy: "Delete",
      componentSpecs: [
        {
          name: "etcd",
          componentDef: "etcd-0.9.0",
          replicas: 2,
          volumeClaimTemplates: [
            {
              name: "data",
              spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
            },
          ],
        },
      ],
      ...spec,
    },
  });
}

const clusterOf = async (name: string) =>
  (await fleet.hub.get(KB_CLUSTERS, "default", name)) as Cluster | undefined;

async function objectsIn(member: string, kind: ResourceId, cluster: string): Promise<KubeObject[]> {
  const list = await fleet
    .member(member)
    .client.list(kind, { namespace: "default", labelSelector: `${InstanceLabels.cluster}=${cluster}` });
  return list.items.filter((o) => !o.metadata.deletionTimestamp);
}

/** Replica → member, phase and readiness, as the hub's status shows them. */
async function replicas(name: string) {
  const cluster = await clusterOf(name);
  return (cluster?.status?.components?.etcd?.replicas ?? []).map(
    (r) => `${r.podName}@${r.member}:${r.phase}${r.ready ? "+" : ""}`,
  );
}

async function untilPhase(name: string, phase: string) {
  return until(
    `Cluster ${name} ${phase}`,
    async () => ((await clusterOf(name))?.status?.phase === phase ? clusterOf(name) : undefined),
    WAIT,
  );
}

async function untilGone(name: string) {
  await until(`Cluster ${name} deleted`, async () => (await clusterOf(name)) === undefined, WAIT);
}

describe("instance controller", () => {
  let etcd = "";

  it("runs the guide's etcd with one replica per member, its PVC and pod services", async () => {
    etcd = await createSeed();
    const running = await untilPhase(etcd, "Running");
    assert.ok(running?.metadata.finalizers?.includes(INSTANCE_FINALIZER));
    assert.equal(running?.status?.observedGeneration, running?.metadata.generation);
    const status = running?.status?.components?.etcd?.replicas ?? [];
    assert.deepEqual(
      status.map((r) => [r.podName, r.member, r.phase, r.ready]),
      MEMBERS.map((m, i) => [`${etcd}-etcd-${i}`, m, "Running", true]),
    );
    for (const [i, member] of MEMBERS.entries()) {
      const pod = `${etcd}-etcd-${i}`;
      const [live] = await objectsIn(member, R.pods, etcd);
      assert.equal(live?.metadata.name, pod, `only ${pod} runs in ${member}`);
      assert.equal(live?.metadata.labels?.[KubeBlocksLabels.instance], etcd);
      assert.equal(live?.metadata.labels?.[KubeBlocksLabels.managedBy], "kubeblocks");
      assert.equal(live?.metadata.labels?.[KubeBlocksLabels.componentName], "etcd");
      assert.equal(live?.metadata.ownerReferences, undefined);
      assert.ok(live);
      const container = (
        live.spec as { containers: Array<{ resources?: { limits?: Record<string, string> } }> }
      ).containers[0];
      assert.equal(container?.resources?.limits?.cpu, "100m");
      const claims = await objectsIn(member, R.persistentvolumeclaims, etcd);
      assert.deepEqual(
        claims.map((c) => c.metadata.name),
        [`data-${pod}`],
      );
      // mirror (the default): every replica's pod service in every member of the placement.
      const services = await objectsIn(member, R.services, etcd);
      assert.deepEqual(
        services.map((s) => s.metadata.name).sort(),
        [0, 1, 2].map((n) => `${etcd}-etcd-peer-${n}`),
      );
      const own = services.find((s) => s.metadata.name === `${etcd}-etcd-peer-${i}`);
      assert.equal(own?.metadata.annotations?.["service.cilium.io/global"], "true");
      assert.ok(own);
      assert.equal(status[i]?.address, (own.spec as { clusterIP?: string }).clusterIP);
    }
  });

  it("shows a replica in an unreachable or disabled member as Unknown and the Cluster Abnormal, then heals", async () => {
    await fleet.member("k8s-2").host.setApiDown(true);
    await untilPhase(etcd, "Abnormal");
    await until(
      "k8s-2's replica Unknown",
      async () => (await replicas(etcd)).includes(`${etcd}-etcd-1@k8s-2:Unknown`),
      WAIT,
    );
    await fleet.member("k8s-2").host.setApiDown(false);
    await untilPhase(etcd, "Running");

    await fleet.hub.patch(MEMBER_CLUSTERS, undefined, "k8s-3", "merge", { spec: { disabled: true } });
    await until(
      "k8s-3's replica Unknown",
      async () => (await replicas(etcd)).includes(`${etcd}-etcd-2@k8s-3:Unknown`),
      WAIT,
    );
    assert.equal((await clusterOf(etcd))?.status?.phase, "Abnormal");
    await fleet.hub.patch(MEMBER_CLUSTERS, undefined, "k8s-3", "merge", { spec: { disabled: false } });
    await untilPhase(etcd, "Running");
  });

  it("scales 3 → 4 by adding a second replica on k8s-1 without moving the others", async () => {
    const cluster = await clusterOf(etcd);
    const componentSpecs = cluster?.spec.componentSpecs?.map((c) => ({ ...c, replicas: 4 }));
    await fleet.hub.patch(KB_CLUSTERS, "default", etcd, "merge", { spec: { componentSpecs } });
    await until(
      "4 replicas Running",
      async () => {
        const now = await replicas(etcd);
        return now.length === 4 && now.every((r) => r.endsWith(":Running+")) && now;
      },
      WAIT,
    );
    assert.deepEqual(
      await replicas(etcd),
      [0, 1, 2, 3].map((i) => `${etcd}-etcd-${i}@${MEMBERS[i % 3]}:Running+`),
    );
    assert.deepEqual((await objectsIn("k8s-1", R.pods, etcd)).map((p) => p.metadata.name).sort(), [
      `${etcd}-etcd-0`,
      `${etcd}-etcd-3`,
    ]);
  });

  it("scales 4 → 3 by removing the highest ordinal, its pod, PVC and pod services", async () => {
    const cluster = await clusterOf(etcd);
    const componentSpecs = cluster?.spec.componentSpecs?.map((c) => ({ ...c, replicas: 3 }));
    await fleet.hub.patch(KB_CLUSTERS, "default", etcd, "merge", { spec: { componentSpecs } });
    await until(
      "etcd-3 gone from k8s-1",
      async () => {
        const names = [
          ...(await objectsIn("k8s-1", R.pods, etcd)),
          ...(await objectsIn("k8s-1", R.persistentvolumeclaims, etcd)),
          ...(await objectsIn("k8s-2", R.services, etcd)),
        ].map((o) => o.metadata.name ?? "");
        return !names.some((n) => n.endsWith("-3"));
      },
      WAIT,
    );
    await until("3 replicas at the hub", async () => (await replicas(etcd)).length === 3, WAIT);
    assert.deepEqual(
      await replicas(etcd),
      [0, 1, 2].map((i) => `${etcd}-etcd-${i}@${MEMBERS[i]}:Running+`),
    );
  });

  it("WipeOut deletes pods, services and PVCs in every member", async () => {
    await fleet.hub.delete(KB_CLUSTERS, "default", etcd);
    await untilGone(etcd);
    for (const member of MEMBERS) {
      for (const kind of [R.pods, R.services, R.persistentvolumeclaims]) {
        assert.deepEqual(await objectsIn(member, kind, etcd), [], `${kind.resource} left in ${member}`);
      }
    }
  });

  it("places replicas only on the members the placement annotation names; Halt keeps PVCs", async () => {
    await createCluster(
      "pair",
      { terminationPolicy: "Halt" },
      { "apps.kubeblocks.io/multi-cluster-placement": "k8s-3,k8s-1" },
    );
    await untilPhase("pair", "Running");
    assert.deepEqual(await replicas("pair"), ["pair-etcd-0@k8s-3:Running+", "pair-etcd-1@k8s-1:Running+"]);
    assert.deepEqual(await objectsIn("k8s-2", R.pods, "pair"), []);
    await fleet.hub.delete(KB_CLUSTERS, "default", "pair");
    await untilGone("pair");
    assert.deepEqual(await objectsIn("k8s-3", R.pods, "pair"), []);
    assert.deepEqual(
      (await objectsIn("k8s-3", R.persistentvolumeclaims, "pair")).map((c) => c.metadata.name),
      ["data-pair-etcd-0"],
    );
    assert.deepEqual(
      (await objectsIn("k8s-1", R.persistentvolumeclaims, "pair")).map((c) => c.metadata.name),
      ["data-pair-etcd-1"],
    );
  });

  it("says when the ComponentDefinition is missing, and refuses deletion under DoNotTerminate", async () => {
    await createCluster("nodef", {
      terminationPolicy: "DoNotTerminate",
      componentSpecs: [{ name: "db", componentDef: "no-such-def", replicas: 1 }],
    });
    const missing = await until(
      "ComponentDefinitionsFound False",
      async () => {
        const condition = (await clusterOf("nodef"))?.status?.conditions?.find(
          (c) => c.type === InstanceConditions.ComponentDefinitionsFound,
        );
        return condition?.status === "False" && condition;
      },
      WAIT,
    );
    assert.equal(missing.reason, "ComponentDefinitionNotFound");
    assert.match(missing.message, /no-such-def/);
    await fleet.hub.delete(KB_CLUSTERS, "default", "nodef");
    await until(
      "DeletionRefused",
      async () =>
        (await clusterOf("nodef"))?.status?.conditions?.some(
          (c) => c.type === InstanceConditions.DeletionRefused && c.status === "True",
        ),
      WAIT,
    );
    assert.ok(await clusterOf("nodef"), "kept while DoNotTerminate");
    await fleet.hub.patch(KB_CLUSTERS, "default", "nodef", "merge", {
      spec: { terminationPolicy: "Delete" },
    });
    await untilGone("nodef");
  });
});
