import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Informer, type KubeObject, R } from "@atoll/kube";
import { WorkloadLabels } from "./well-known.ts";
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
  // Pods of "db" and "par" are made ready by hand; everything else by the stand-in kubelet.
  cluster.autoKubelet({
    delayMs: 20,
    filter: (pod) => !["db", "par"].includes(pod.metadata.labels?.app ?? ""),
  });
});
after(async () => {
  await cluster.stop();
  assert.deepEqual(cluster.errors.map(String), [], "no reconcile failed");
});

const NS = "default";
const claimTemplate = {
  metadata: { name: "data", labels: { tier: "storage" } },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
};

function statefulSet(name: string, replicas: number, extra: Record<string, unknown> = {}, image = "db:1") {
  return {
    metadata: { name },
    spec: {
      replicas,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: podTemplate({ app: name }, image),
      volumeClaimTemplates: [claimTemplate],
      ...extra,
    },
  };
}

const names = (pods: KubeObject[]) => pods.map((p) => p.metadata.name);
const imageOf = (pod: KubeObject) =>
  (pod.spec as { containers: Array<{ image: string }> }).containers[0].image;
const claim = (name: string) => cluster.client.get(R.persistentvolumeclaims, NS, name);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Records the names of pods deleted in `namespace` with label app=`app`, in order. */
async function deletions(app: string): Promise<{ names: string[]; stop(): void }> {
  const watcher = new Informer(cluster.client, R.pods, { namespace: NS, labelSelector: `app=${app}` });
  const seen: string[] = [];
  watcher.addHandlers({ onDelete: (pod) => seen.push(pod.metadata.name ?? "") });
  watcher.start();
  await watcher.synced();
  return { names: seen, stop: () => watcher.stop() };
}

test("OrderedReady creates pod N only after pod N-1 is Running and Ready, each after its claims", async () => {
  const set = await cluster.client.create(R.statefulsets, NS, statefulSet("db", 3));
  for (const ordinal of [0, 1, 2]) {
    const name = `db-${ordinal}`;
    const pod = await until(() => cluster.informers.pods.get(`${NS}/${name}`), `${name} created`);
    const pvc = await claim(`data-db-${ordinal}`);
    assert.ok(pvc, `data-db-${ordinal} exists once ${name} does`);
    assert.deepEqual(pvc.metadata.labels, { tier: "storage", app: "db" });
    assert.equal(pvc.metadata.ownerReferences, undefined, "Retain: claims are not owned");
    assert.deepEqual(pod.metadata.labels, {
      app: "db",
      [WorkloadLabels.statefulSetPodName]: name,
      [WorkloadLabels.podIndex]: String(ordinal),
      [WorkloadLabels.controllerRevisionHash]: pod.metadata.labels?.[WorkloadLabels.controllerRevisionHash],
    });
    const spec = pod.spec as { hostname: string; subdomain: string; volumes: unknown[] };
    assert.equal(spec.hostname, name);
    assert.equal(spec.subdomain, "db");
    assert.deepEqual(spec.volumes, [
      { name: "data", persistentVolumeClaim: { claimName: `data-db-${ordinal}` } },
    ]);
    assert.equal(pod.metadata.ownerReferences?.[0]?.uid, set.metadata.uid);
    await pause(60);
    assert.deepEqual(
      names(cluster.pods(NS, ["app", "db"])),
      ["db-0", "db-1", "db-2"].slice(0, ordinal + 1),
      "the next waits",
    );
    await cluster.runPod(NS, name);
  }
  const status = await until(async () => {
    const s = await statusOf(cluster.client, R.statefulsets, NS, "db");
    return s.readyReplicas === 3 && s;
  }, "3 ready");
  const revision = cluster.informers.pods.get(`${NS}/db-0`)?.metadata.labels?.[
    WorkloadLabels.controllerRevisionHash
  ];
  assert.match(revision ?? "", /^db-[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.deepEqual(
    { ...status },
    {
      observedGeneration: 1,
      replicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      currentReplicas: 3,
      updatedReplicas: 3,
      currentRevision: revision,
      updateRevision: revision,
      collisionCount: 0,
    },
  );
});

test("scaling down removes the highest ordinals first, one at a time, and keeps their claims", async () => {
  const watch = await deletions("db");
  try {
    await cluster.client.patch(R.statefulsets, NS, "db", "merge", { spec: { replicas: 1 } });
    await until(() => cluster.pods(NS, ["app", "db"]).length === 1, "scaled to 1");
  } finally {
    watch.stop();
  }
  assert.deepEqual(watch.names, ["db-2", "db-1"]);
  assert.ok(await claim("data-db-1"));
  assert.ok(await claim("data-db-2"));
});

test("a rolling update with a partition replaces pods from the highest ordinal down to the partition", async () => {
  const strategy = { type: "RollingUpdate", rollingUpdate: { partition: 1 } };
  await cluster.client.create(
    R.statefulsets,
    NS,
    statefulSet("web", 3, { updateStrategy: strategy }, "web:A"),
  );
  const before = await until(
    async () => {
      const s = await statusOf(cluster.client, R.statefulsets, NS, "web");
      return s.readyReplicas === 3 && s;
    },
    "3 ready",
    8000,
  );
  const watch = await deletions("web");
  await cluster.client.patch(R.statefulsets, NS, "web", "strategic", {
    spec: { template: { spec: { containers: [{ name: "main", image: "web:B" }] } } },
  });
  const partial = await until(
    async () => {
      const s = await statusOf(cluster.client, R.statefulsets, NS, "web");
      return s.updatedReplicas === 2 && s.readyReplicas === 3 && s;
    },
    "2 updated",
    8000,
  );
  await pause(60);
  watch.stop();
  assert.deepEqual(watch.names, ["web-2", "web-1"]);
  assert.deepEqual(cluster.pods(NS, ["app", "web"]).map(imageOf), ["web:A", "web:B", "web:B"]);
  assert.equal(partial.currentRevision, before.currentRevision);
  assert.notEqual(partial.updateRevision, before.updateRevision);
  assert.equal(partial.currentReplicas, 1);

  await cluster.client.patch(R.statefulsets, NS, "web", "merge", {
    spec: { updateStrategy: { rollingUpdate: { partition: 0 } } },
  });
  const done = await until(
    async () => {
      const s = await statusOf(cluster.client, R.statefulsets, NS, "web");
      return (
        s.currentRevision === s.updateRevision && s.readyReplicas === 3 && s.observedGeneration === 3 && s
      );
    },
    "update complete",
    8000,
  );
  assert.equal(done.currentReplicas, 3);
  assert.deepEqual(cluster.pods(NS, ["app", "web"]).map(imageOf), ["web:B", "web:B", "web:B"]);
});

test("Parallel creates every pod at once; whenScaled: Delete removes the claims of scaled-down pods", async () => {
  const policy = { whenScaled: "Delete", whenDeleted: "Retain" };
  await cluster.client.create(
    R.statefulsets,
    NS,
    statefulSet("par", 3, { podManagementPolicy: "Parallel", persistentVolumeClaimRetentionPolicy: policy }),
  );
  await until(() => cluster.pods(NS, ["app", "par"]).length === 3, "3 pods without waiting for readiness");
  await until(async () => (await claim("data-par-2")) !== undefined, "claims");
  await cluster.client.patch(R.statefulsets, NS, "par", "merge", { spec: { replicas: 1 } });
  await until(() => cluster.pods(NS, ["app", "par"]).length === 1, "scaled to 1");
  await until(
    async () => !(await claim("data-par-1")) && !(await claim("data-par-2")),
    "claims of 1 and 2 deleted",
  );
  assert.ok(await claim("data-par-0"), "the remaining pod keeps its claim");
});
