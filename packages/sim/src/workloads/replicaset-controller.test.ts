import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { R } from "@atoll/kube";
import {
  podTemplate,
  startWorkloadTestCluster,
  statusOf,
  until,
  type WorkloadTestCluster,
} from "./workload-test-cluster.ts";

let cluster: WorkloadTestCluster;
before(async () => {
  cluster = await startWorkloadTestCluster();
});
after(async () => {
  await cluster.stop();
  assert.deepEqual(cluster.errors.map(String), [], "no reconcile failed");
});

const NS = "default";

function replicaSet(name: string, replicas: number, extra: Record<string, unknown> = {}) {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: podTemplate({ app: name }),
      ...extra,
    },
  };
}

test("a ReplicaSet creates its pods, owns them, and reports ready and available replicas", async () => {
  const { client } = cluster;
  const rs = await client.create(R.replicasets, NS, replicaSet("web", 3));
  const pods = await until(() => {
    const list = cluster.pods(NS, ["app", "web"]);
    return list.length === 3 && list;
  }, "3 pods");
  for (const pod of pods) {
    assert.match(pod.metadata.name ?? "", /^web-[a-z0-9]{5}$/);
    assert.deepEqual(pod.metadata.ownerReferences, [
      {
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        name: "web",
        uid: rs.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  }
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(cluster.pods(NS, ["app", "web"]).length, 3, "no duplicates while the cache catches up");
  const status = await until(async () => {
    const s = await statusOf(client, R.replicasets, NS, "web");
    return s.replicas === 3 && s;
  }, "status.replicas 3");
  assert.equal(status.readyReplicas, undefined);
  assert.equal(status.fullyLabeledReplicas, 3);
  assert.equal(status.observedGeneration, 1);

  for (const pod of pods) await cluster.runPod(NS, pod.metadata.name ?? "");
  const ready = await until(async () => {
    const s = await statusOf(client, R.replicasets, NS, "web");
    return s.availableReplicas === 3 && s;
  }, "3 available");
  assert.equal(ready.readyReplicas, 3);
});

test("a ReplicaSet replaces deleted pods, scales down preferring unready pods, and adopts orphans", async () => {
  const { client } = cluster;
  await client.create(R.replicasets, NS, replicaSet("api", 2));
  const [first] = await until(() => {
    const list = cluster.pods(NS, ["app", "api"]);
    return list.length === 2 && list;
  }, "2 pods");
  await cluster.runPod(NS, first.metadata.name ?? "");
  await client.delete(R.pods, NS, cluster.pods(NS, ["app", "api"])[1].metadata.name ?? "");
  await until(() => {
    const list = cluster.pods(NS, ["app", "api"]);
    return list.length === 2 && list.every((p) => p.metadata.uid !== undefined);
  }, "replacement");

  const current = await client.get(R.replicasets, NS, "api");
  await client.update(R.replicasets, NS, {
    ...current!,
    spec: { ...(current!.spec as object), replicas: 1 },
  });
  const left = await until(() => {
    const list = cluster.pods(NS, ["app", "api"]);
    return list.length === 1 && list;
  }, "scaled to 1");
  assert.equal(left[0].metadata.name, first.metadata.name, "the ready pod is kept");

  await client.create(R.pods, NS, {
    ...podTemplate({}),
    metadata: { name: "stray", labels: { app: "api" } },
  });
  await until(() => cluster.pods(NS, ["app", "api"]).length === 1, "surplus orphan removed or adopted");
  const rs = await client.get(R.replicasets, NS, "api");
  for (const pod of cluster.pods(NS, ["app", "api"])) {
    assert.equal(pod.metadata.ownerReferences?.[0]?.uid, rs?.metadata.uid);
  }
});

test("minReadySeconds delays availability", async () => {
  const { client } = cluster;
  await client.create(R.replicasets, NS, replicaSet("slow", 1, { minReadySeconds: 2 }));
  const [pod] = await until(() => {
    const list = cluster.pods(NS, ["app", "slow"]);
    return list.length === 1 && list;
  }, "1 pod");
  await cluster.runPod(NS, pod.metadata.name ?? "");
  const ready = await until(async () => {
    const s = await statusOf(client, R.replicasets, NS, "slow");
    return s.readyReplicas === 1 && s;
  }, "ready");
  assert.equal(ready.availableReplicas, undefined, "not yet available");
  await until(
    async () => (await statusOf(client, R.replicasets, NS, "slow")).availableReplicas === 1,
    "available after minReadySeconds",
    4000,
  );
});
