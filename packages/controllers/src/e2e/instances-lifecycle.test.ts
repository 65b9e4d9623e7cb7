/**
 * Changing a running cross-member etcd, for real, through the Cluster
 * itself (what OpsRequests do underneath): a restart request and a resources
 * change roll the replicas one at a time with the instance serving
 * throughout; scaling out adds engine members and scaling in removes them
 * (memberLeave) before their pods go; a switchover moves leadership to the
 * named replica; stop deletes the pods and keeps the data, start brings it
 * back.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  InstanceOperationAnnotations,
  KB_CLUSTERS,
  type ReplicaStatus,
  type SwitchoverResult,
} from "@atoll/api";
import { R } from "@atoll/kube";
import {
  etcdctl,
  haveEtcd,
  instancesAt,
  engineMembers as membersSeenBy,
  replicaEndpoint,
  startEtcdFleet,
} from "../testing/etcd-instance.fixture.ts";
import { type TestFleet, until } from "../testing/fleet.fixture.ts";

const WAIT = 90_000;
const NAME = "lifecycle";
let fleet: TestFleet;

before(async () => {
  if (!haveEtcd) return;
  fleet = await startEtcdFleet([117, 118, 119]);
});
after(async () => {
  await fleet?.stop();
});

const cluster = () => instancesAt(fleet.hub).cluster(NAME);
const replicasOf = () => instancesAt(fleet.hub).replicas(NAME);
const running = (count: number) => instancesAt(fleet.hub).running(NAME, { count, timeoutMs: WAIT });
const endpointOf = (replica: ReplicaStatus) =>
  replicaEndpoint(fleet.member(replica.member ?? "").client, replica);
const engineMembers = async (replica: ReplicaStatus) => membersSeenBy(await endpointOf(replica));

const podUid = async (replica: ReplicaStatus) =>
  (await fleet.member(replica.member ?? "").client.get(R.pods, "default", replica.podName))?.metadata.uid;

describe("a running etcd changed through its Cluster", { skip: !haveEtcd && "etcd is not installed" }, () => {
  it("starts with three replicas", async () => {
    await fleet.hub.create(KB_CLUSTERS, "default", {
      apiVersion: "apps.kubeblocks.io/v1alpha1",
      kind: "Cluster",
      metadata: { name: NAME },
      spec: {
        terminationPolicy: "WipeOut",
        componentSpecs: [
          {
            name: "etcd",
            componentDef: "etcd-0.9.0",
            replicas: 3,
            volumeClaimTemplates: [
              {
                name: "data",
                spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
              },
            ],
            services: [
              {
                name: "peer",
                serviceType: "ClusterIP",
                podService: true,
                annotations: { "service.cilium.io/global": "true" },
              },
            ],
          },
        ],
      },
    });
    const replicas = await running(3);
    assert.match((await etcdctl(await endpointOf(replicas[0]), "put", "k", "v")).stdout, /OK/);
  });

  it("a restart request rolls every replica, one at a time, leader last", async () => {
    const before = await replicasOf();
    const uids = await Promise.all(before.map(podUid));
    await fleet.hub.patch(KB_CLUSTERS, "default", NAME, "merge", {
      metadata: {
        annotations: {
          [InstanceOperationAnnotations.restart]: JSON.stringify({ etcd: new Date().toISOString() }),
        },
      },
    });
    let mostDown = 0;
    let sawUpdating = false;
    const after = await until(
      "every replica re-created and Running",
      async () => {
        const c = await cluster();
        const list = c.status?.components?.etcd?.replicas ?? [];
        sawUpdating ||= c.status?.phase === "Updating";
        mostDown = Math.max(mostDown, list.filter((r) => !r.ready).length);
        if (c.status?.phase !== "Running" || !list.every((r) => r.upToDate && r.ready && r.role))
          return undefined;
        const now = await Promise.all(list.map(podUid));
        return now.every((uid, i) => uid !== uids[i]) ? list : undefined;
      },
      WAIT,
    );
    assert.equal(after.length, 3);
    assert.ok(sawUpdating, "the Cluster showed Updating while rolling");
    assert.ok(mostDown <= 1, `at most one replica down at a time (saw ${mostDown})`);
    assert.equal(
      (await etcdctl(await endpointOf(after[2]), "get", "k", "--print-value-only")).stdout.trim(),
      "v",
    );
  });

  it("scaling out adds engine members, scaling in removes them before their pods go", async () => {
    await fleet.hub.patch(KB_CLUSTERS, "default", NAME, "json", [
      { op: "replace", path: "/spec/componentSpecs/0/replicas", value: 5 },
    ]);
    const outAt = Date.now();
    const five = await running(5);
    console.log(`# scale out 3 → 5: ${Date.now() - outAt} ms`);
    assert.deepEqual(
      five.map((r) => r.member),
      ["k8s-1", "k8s-2", "k8s-3", "k8s-1", "k8s-2"],
    );
    assert.equal((await engineMembers(five[0])).length, 5);
    assert.equal(
      (await etcdctl(await endpointOf(five[4]), "get", "k", "--print-value-only")).stdout.trim(),
      "v",
    );
    await fleet.hub.patch(KB_CLUSTERS, "default", NAME, "json", [
      { op: "replace", path: "/spec/componentSpecs/0/replicas", value: 3 },
    ]);
    const inAt = Date.now();
    // Running again only once the scaled-away replicas have left the engine and their pods are gone.
    const three = await running(3);
    assert.equal((await engineMembers(three[0])).length, 3);
    for (const r of [five[3], five[4]]) {
      assert.equal(await fleet.member(r.member ?? "").client.get(R.pods, "default", r.podName), undefined);
    }
    console.log(`# scale in 5 → 3: ${Date.now() - inAt} ms`);
    assert.deepEqual(await engineMembers(three[0]), three.map((r) => r.podName).sort());
  });

  it("a switchover hands leadership to the named replica", async () => {
    const list = await replicasOf();
    const candidate = list.find((r) => r.role !== "leader");
    assert.ok(candidate);
    await fleet.hub.patch(KB_CLUSTERS, "default", NAME, "merge", {
      metadata: {
        annotations: {
          [InstanceOperationAnnotations.switchover]: JSON.stringify({
            id: "test-1",
            component: "etcd",
            candidate: candidate.podName,
          }),
        },
      },
    });
    const result = await until(
      "the switchover's result",
      async () => {
        const text = (await cluster()).metadata.annotations?.[InstanceOperationAnnotations.switchoverResult];
        const parsed = text ? (JSON.parse(text) as SwitchoverResult) : undefined;
        return parsed?.id === "test-1" ? parsed : undefined;
      },
      30_000,
    );
    assert.ok(result.succeeded, result.message);
    await until(
      "the candidate shown as leader",
      async () =>
        (await replicasOf()).find((r) => r.podName === candidate.podName)?.role === "leader" || undefined,
      10_000,
    );
  });

  it("stop deletes the pods and keeps the data; start brings it back", async () => {
    await fleet.hub.patch(KB_CLUSTERS, "default", NAME, "json", [
      { op: "add", path: "/spec/componentSpecs/0/stop", value: true },
    ]);
    await until("Stopped", async () => (await cluster()).status?.phase === "Stopped" || undefined, WAIT);
    for (const member of fleet.members) {
      const pods = await member.client.list(R.pods, {
        namespace: "default",
        labelSelector: "app.kubernetes.io/instance=lifecycle",
      });
      assert.equal(pods.items.length, 0, `no pods left in ${member.name}`);
      const claims = await member.client.list(R.persistentvolumeclaims, {
        namespace: "default",
        labelSelector: "app.kubernetes.io/instance=lifecycle",
      });
      assert.equal(claims.items.length, 1, `the data stays in ${member.name}`);
    }
    await fleet.hub.patch(KB_CLUSTERS, "default", NAME, "json", [
      { op: "replace", path: "/spec/componentSpecs/0/stop", value: false },
    ]);
    const back = await running(3);
    assert.equal(
      (await etcdctl(await endpointOf(back[1]), "get", "k", "--print-value-only")).stdout.trim(),
      "v",
    );
  });
});
