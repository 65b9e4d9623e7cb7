import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Informer, type KubeObject, R } from "@atoll/kube";
import { targetNodeName } from "./node-placement.ts";
import { isPodReady } from "./pod-state.ts";
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
  cluster.autoKubelet({ delayMs: 20 });
  const node = (name: string, labels: Record<string, string>, spec: Record<string, unknown> = {}) =>
    cluster.client.create(R.nodes, undefined, { metadata: { name, labels }, spec });
  await node("node-a", { disk: "ssd" });
  await node(
    "node-b",
    { disk: "ssd" },
    { taints: [{ key: "dedicated", value: "db", effect: "NoSchedule" }] },
  );
  await node("node-c", { disk: "hdd" });
  await node(
    "node-d",
    { disk: "ssd" },
    { unschedulable: true, taints: [{ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" }] },
  );
});
after(async () => {
  await cluster.stop();
  assert.deepEqual(cluster.errors.map(String), [], "no reconcile failed");
});

const NS = "kube-system";

function daemonSet(
  name: string,
  podSpec: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
  image = "agent:1",
) {
  const template = podTemplate({ app: name }, image);
  return {
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { ...template, spec: { ...(template.spec as object), ...podSpec } },
      ...extra,
    },
  };
}

const nodesOf = (app: string) =>
  cluster
    .pods(NS, ["app", app])
    .map((p) => targetNodeName(p))
    .sort();
const imageOf = (pod: KubeObject) =>
  (pod.spec as { containers: Array<{ image: string }> }).containers[0].image;

test("one pod per eligible node: nodeSelector, taints and the default tolerations decide", async () => {
  await cluster.client.create(R.namespaces, undefined, { metadata: { name: NS } }).catch(() => {});
  await cluster.client.create(R.daemonsets, NS, daemonSet("ssd", { nodeSelector: { disk: "ssd" } }));
  await until(() => nodesOf("ssd").length === 2 && nodesOf("ssd"), "2 pods");
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(nodesOf("ssd"), ["node-a", "node-d"], "tainted node-b is skipped, cordoned node-d is not");
  const [pod] = cluster.pods(NS, ["app", "ssd"]);
  const spec = pod.spec as { affinity: unknown; tolerations: Array<{ key: string }> };
  assert.deepEqual(spec.affinity, {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          { matchFields: [{ key: "metadata.name", operator: "In", values: [targetNodeName(pod)] }] },
        ],
      },
    },
  });
  assert.deepEqual(
    spec.tolerations.map((t) => t.key),
    [
      "node.kubernetes.io/not-ready",
      "node.kubernetes.io/unreachable",
      "node.kubernetes.io/disk-pressure",
      "node.kubernetes.io/memory-pressure",
      "node.kubernetes.io/pid-pressure",
      "node.kubernetes.io/unschedulable",
    ],
  );
  assert.ok(pod.metadata.labels?.[WorkloadLabels.controllerRevisionHash]);
  assert.equal(pod.metadata.labels?.[WorkloadLabels.podTemplateGeneration], "1");
  const status = await until(async () => {
    const s = await statusOf(cluster.client, R.daemonsets, NS, "ssd");
    return s.numberAvailable === 2 && s;
  }, "2 available");
  assert.deepEqual(
    { ...status },
    {
      currentNumberScheduled: 2,
      numberMisscheduled: 0,
      desiredNumberScheduled: 2,
      numberReady: 2,
      observedGeneration: 1,
      updatedNumberScheduled: 2,
      numberAvailable: 2,
    },
  );

  const tolerations = [{ key: "dedicated", operator: "Equal", value: "db", effect: "NoSchedule" }];
  await cluster.client.patch(R.daemonsets, NS, "ssd", "merge", {
    spec: { template: { spec: { tolerations } } },
  });
  await until(() => nodesOf("ssd").length === 3, "a pod on the tainted node once tolerated");
  assert.deepEqual(nodesOf("ssd"), ["node-a", "node-b", "node-d"]);
});

test("nodes joining, changing labels and leaving add and remove daemon pods", async () => {
  await cluster.client.create(R.daemonsets, NS, daemonSet("hdd", { nodeSelector: { disk: "hdd" } }));
  await until(() => nodesOf("hdd").join() === "node-c", "pod on node-c");
  await cluster.client.create(R.nodes, undefined, { metadata: { name: "node-e", labels: { disk: "hdd" } } });
  await until(() => nodesOf("hdd").join() === "node-c,node-e", "pod on the new node");
  await cluster.client.patch(R.nodes, undefined, "node-c", "merge", {
    metadata: { labels: { disk: "ssd" } },
  });
  await until(() => nodesOf("hdd").join() === "node-e", "pod removed from the relabelled node");
  await cluster.client.delete(R.nodes, undefined, "node-e");
  await until(() => nodesOf("hdd").length === 0, "pod removed with its node");
  const status = await until(async () => {
    const s = await statusOf(cluster.client, R.daemonsets, NS, "hdd");
    return s.desiredNumberScheduled === 0 && s.currentNumberScheduled === 0 && s;
  }, "status with no node");
  assert.equal(status.numberMisscheduled, 0);
  await cluster.client.patch(R.nodes, undefined, "node-c", "merge", {
    metadata: { labels: { disk: "hdd" } },
  });
});

test("a rolling update replaces pods at most maxUnavailable nodes at a time (three eligible nodes)", async () => {
  await cluster.client.create(R.daemonsets, NS, daemonSet("agent", {}, {}, "agent:1"));
  await until(
    async () => (await statusOf(cluster.client, R.daemonsets, NS, "agent")).numberAvailable === 3,
    "3 available",
  );
  const watcher = new Informer(cluster.client, R.pods, { namespace: NS, labelSelector: "app=agent" });
  let worst = 0;
  let measuring = false;
  const observe = () => {
    if (!measuring) return;
    const served = new Set(
      watcher
        .list()
        .filter((p) => isPodReady(p) && !p.metadata.deletionTimestamp)
        .map(targetNodeName),
    );
    worst = Math.max(worst, 3 - served.size);
  };
  watcher.addHandlers({ onAdd: observe, onUpdate: observe, onDelete: observe });
  watcher.start();
  await watcher.synced();
  measuring = true;
  try {
    await cluster.client.patch(R.daemonsets, NS, "agent", "strategic", {
      spec: { template: { spec: { containers: [{ name: "main", image: "agent:2" }] } } },
    });
    await until(
      async () => {
        const s = await statusOf(cluster.client, R.daemonsets, NS, "agent");
        return s.updatedNumberScheduled === 3 && s.numberAvailable === 3 && s.observedGeneration === 2;
      },
      "all updated",
      8000,
    );
  } finally {
    watcher.stop();
  }
  assert.equal(worst, 1, "exactly one node at a time was without a ready pod");
  await until(() => cluster.pods(NS, ["app", "agent"]).length === 3, "3 pods");
  assert.deepEqual(cluster.pods(NS, ["app", "agent"]).map(imageOf), ["agent:2", "agent:2", "agent:2"]);
});
