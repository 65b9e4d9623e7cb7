import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Informer, type KubeObject, R } from "@atoll/kube";
import { isPodReady } from "./pod-state.ts";
import { WorkloadAnnotations, WorkloadLabels } from "./well-known.ts";
import {
  podTemplate,
  startWorkloadTestCluster,
  statusOf,
  until,
  type WorkloadTestCluster,
} from "./workload-test-cluster.ts";
import type { Condition } from "./workload-types.ts";

let cluster: WorkloadTestCluster;
before(async () => {
  cluster = await startWorkloadTestCluster();
  cluster.autoKubelet({ delayMs: 25, filter: (pod) => pod.metadata.labels?.app !== "stuck" });
});
after(async () => {
  await cluster.stop();
  assert.deepEqual(cluster.errors.map(String), [], "no reconcile failed");
});

const NS = "default";

function deployment(
  name: string,
  replicas: number,
  extra: Record<string, unknown> = {},
  image = "nginx:1.25",
) {
  return {
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: podTemplate({ app: name }, image),
      ...extra,
    },
  };
}

const imageOf = (pod: KubeObject) =>
  (pod.spec as { containers: Array<{ image: string }> }).containers[0].image;

async function setImage(name: string, image: string) {
  await cluster.client.patch(R.deployments, NS, name, "strategic", {
    spec: { template: { spec: { containers: [{ name: "main", image }] } } },
  });
}

async function rolledOut(name: string, replicas: number, timeoutMs = 20_000) {
  return until(
    async () => {
      const d = await cluster.client.get(R.deployments, NS, name);
      const s = (d?.status ?? {}) as Record<string, unknown>;
      const progressing = (s.conditions as Condition[] | undefined)?.find((c) => c.type === "Progressing");
      return (
        s.observedGeneration === d?.metadata.generation &&
        (s.updatedReplicas ?? 0) === replicas &&
        (s.replicas ?? 0) === replicas &&
        (s.availableReplicas ?? 0) === replicas &&
        progressing?.reason === "NewReplicaSetAvailable" &&
        s
      );
    },
    `deployment ${name} rolled out with ${replicas} replicas`,
    timeoutMs,
  );
}

function replicaSetsOf(name: string): KubeObject[] {
  return cluster.informers.replicasets
    .list(NS)
    .filter((rs) => rs.metadata.ownerReferences?.[0]?.name === name);
}

test("a Deployment creates <name>-<hash> ReplicaSet and reaches Available with Kubernetes' status", async () => {
  const created = await cluster.client.create(R.deployments, NS, deployment("web", 3));
  const status = await rolledOut("web", 3);
  const [rs] = replicaSetsOf("web");
  const hash = rs.metadata.labels?.[WorkloadLabels.podTemplateHash] ?? "";
  assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
  assert.equal(rs.metadata.name, `web-${hash}`);
  assert.equal(rs.metadata.ownerReferences?.[0]?.uid, created.metadata.uid);
  assert.deepEqual((rs.spec as { selector: unknown }).selector, {
    matchLabels: { app: "web", [WorkloadLabels.podTemplateHash]: hash },
  });
  assert.equal(rs.metadata.annotations?.[WorkloadAnnotations.revision], "1");
  assert.equal(rs.metadata.annotations?.[WorkloadAnnotations.desiredReplicas], "3");
  assert.equal(rs.metadata.annotations?.[WorkloadAnnotations.maxReplicas], "4");
  const d = await cluster.client.get(R.deployments, NS, "web");
  assert.equal(d?.metadata.annotations?.[WorkloadAnnotations.revision], "1");
  for (const pod of cluster.pods(NS, ["app", "web"]))
    assert.equal(pod.metadata.labels?.[WorkloadLabels.podTemplateHash], hash);

  assert.equal(status.readyReplicas, 3);
  assert.equal(status.unavailableReplicas, undefined);
  const conditions = status.conditions as Condition[];
  const available = conditions.find((c) => c.type === "Available");
  assert.equal(available?.status, "True");
  assert.equal(available?.reason, "MinimumReplicasAvailable");
  assert.equal(available?.message, "Deployment has minimum availability.");
  const progressing = conditions.find((c) => c.type === "Progressing");
  assert.equal(progressing?.status, "True");
  assert.equal(progressing?.message, `ReplicaSet "web-${hash}" has successfully progressed.`);
  assert.ok(progressing?.lastUpdateTime && progressing.lastTransitionTime);

  const events = await until(async () => {
    const list = await cluster.client.list(R.events, { namespace: NS });
    const about = (kind: string, name: string) =>
      list.items.filter((e) => {
        const involved = e.involvedObject as { kind: string; name: string };
        return involved.kind === kind && involved.name === name;
      });
    const scaling = about("Deployment", "web").map((e) => `${e.reason}: ${e.message}`);
    const creates = about("ReplicaSet", `web-${hash}`).filter((e) => e.reason === "SuccessfulCreate");
    return creates.length === 3 && scaling.length > 0 && scaling;
  }, "events recorded");
  assert.deepEqual(events, [`ScalingReplicaSet: Scaled up replica set web-${hash} from 0 to 3`]);
});

test("a rolling update stays within maxUnavailable and maxSurge and ends with only the new ReplicaSet", async () => {
  const strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } };
  await cluster.client.create(R.deployments, NS, deployment("roll", 4, { strategy }, "app:A"));
  await rolledOut("roll", 4);

  const watcher = new Informer(cluster.client, R.pods, { namespace: NS, labelSelector: "app=roll" });
  const sets = new Informer(cluster.client, R.replicasets, { namespace: NS, labelSelector: "app=roll" });
  let minReady = Number.POSITIVE_INFINITY;
  let maxWanted = 0;
  let measuring = false;
  const observe = () => {
    if (!measuring) return;
    const live = watcher.list().filter((p) => !p.metadata.deletionTimestamp);
    minReady = Math.min(minReady, live.filter(isPodReady).length);
    // Kubernetes bounds the ReplicaSets' desired replicas by maxSurge; a pod the old
    // ReplicaSet has yet to delete may briefly exist beside them, as in Kubernetes.
    const wanted = sets
      .list()
      .reduce((sum, rs) => sum + ((rs.spec as { replicas?: number }).replicas ?? 0), 0);
    maxWanted = Math.max(maxWanted, wanted);
  };
  for (const informer of [watcher, sets]) {
    informer.addHandlers({ onAdd: observe, onUpdate: observe, onDelete: observe });
    informer.start();
    await informer.synced();
  }
  measuring = true;
  observe();
  try {
    await setImage("roll", "app:B");
    await rolledOut("roll", 4);
  } finally {
    watcher.stop();
    sets.stop();
  }
  assert.ok(minReady >= 3, `ready pods never fell below 4 - maxUnavailable (min seen ${minReady})`);
  assert.ok(maxWanted <= 5, `desired replicas never exceeded 4 + maxSurge (max seen ${maxWanted})`);
  const pods = await until(() => {
    const list = cluster.pods(NS, ["app", "roll"]);
    return list.length === 4 && list;
  }, "4 pods");
  assert.deepEqual(pods.map(imageOf), ["app:B", "app:B", "app:B", "app:B"]);
  const finalSets = replicaSetsOf("roll");
  assert.equal(finalSets.length, 2);
  const sizes = Object.fromEntries(
    finalSets.map((rs) => [
      rs.metadata.annotations?.[WorkloadAnnotations.revision],
      (rs.spec as { replicas: number }).replicas,
    ]),
  );
  assert.deepEqual(sizes, { "1": 0, "2": 4 });
  const d = await cluster.client.get(R.deployments, NS, "roll");
  assert.equal(d?.metadata.annotations?.[WorkloadAnnotations.revision], "2");
});

test("Recreate removes every old pod before any new one exists", async () => {
  await cluster.client.create(
    R.deployments,
    NS,
    deployment("rec", 2, { strategy: { type: "Recreate" } }, "app:A"),
  );
  await rolledOut("rec", 2);
  const watcher = new Informer(cluster.client, R.pods, { namespace: NS, labelSelector: "app=rec" });
  let overlapped = false;
  const observe = () => {
    const images = new Set(watcher.list().map(imageOf));
    if (images.has("app:A") && images.has("app:B")) overlapped = true;
  };
  watcher.addHandlers({ onAdd: observe, onUpdate: observe, onDelete: observe });
  watcher.start();
  await watcher.synced();
  try {
    await setImage("rec", "app:B");
    await rolledOut("rec", 2);
  } finally {
    watcher.stop();
  }
  assert.equal(overlapped, false);
  assert.deepEqual(cluster.pods(NS, ["app", "rec"]).map(imageOf), ["app:B", "app:B"]);
});

test("scaling a Deployment up and down resizes its ReplicaSet and pods", async () => {
  await cluster.client.create(R.deployments, NS, deployment("scale", 2));
  await rolledOut("scale", 2);
  await cluster.client.patch(R.deployments, NS, "scale", "merge", { spec: { replicas: 5 } });
  await rolledOut("scale", 5);
  assert.equal(cluster.pods(NS, ["app", "scale"]).length, 5);
  const [rs] = replicaSetsOf("scale");
  assert.equal(rs.metadata.annotations?.[WorkloadAnnotations.desiredReplicas], "5");
  await cluster.client.patch(R.deployments, NS, "scale", "merge", { spec: { replicas: 1 } });
  await rolledOut("scale", 1);
  await until(() => cluster.pods(NS, ["app", "scale"]).length === 1, "1 pod left");
  assert.equal(replicaSetsOf("scale").length, 1);
});

test("a paused Deployment does not roll out until resumed", async () => {
  await cluster.client.create(R.deployments, NS, deployment("pause", 1, {}, "app:A"));
  await rolledOut("pause", 1);
  await cluster.client.patch(R.deployments, NS, "pause", "merge", { spec: { paused: true } });
  await until(async () => {
    const s = await statusOf(cluster.client, R.deployments, NS, "pause");
    return (s.conditions as Condition[]).find((c) => c.type === "Progressing")?.reason === "DeploymentPaused";
  }, "paused condition");
  await setImage("pause", "app:B");
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(replicaSetsOf("pause").length, 1, "no new ReplicaSet while paused");
  await cluster.client.patch(R.deployments, NS, "pause", "merge", { spec: { paused: false } });
  await rolledOut("pause", 1);
  assert.deepEqual(cluster.pods(NS, ["app", "pause"]).map(imageOf), ["app:B"]);
});

test("a rollout that makes no progress within progressDeadlineSeconds reports ProgressDeadlineExceeded", async () => {
  await cluster.client.create(R.deployments, NS, deployment("stuck", 2, { progressDeadlineSeconds: 1 }));
  const status = await until(
    async () => {
      const s = await statusOf(cluster.client, R.deployments, NS, "stuck");
      const progressing = (s.conditions as Condition[] | undefined)?.find((c) => c.type === "Progressing");
      return progressing?.reason === "ProgressDeadlineExceeded" && s;
    },
    "deadline exceeded",
    5000,
  );
  const conditions = status.conditions as Condition[];
  const [rs] = replicaSetsOf("stuck");
  assert.deepEqual(
    conditions.map((c) => [c.type, c.status, c.reason, c.message]),
    [
      ["Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability."],
      [
        "Progressing",
        "False",
        "ProgressDeadlineExceeded",
        `ReplicaSet "${rs.metadata.name}" has timed out progressing.`,
      ],
    ],
  );
  assert.equal(status.unavailableReplicas, 2);
});
