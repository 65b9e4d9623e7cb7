import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { AppsV1Api, CoreV1Api, KubeConfig, makeInformer, type V1Pod } from "@kubernetes/client-node";
import { eventually, startTestMember, type TestMember } from "./harness.ts";

let m: TestMember;
before(async () => {
  m = await startTestMember(105);
});
after(async () => {
  await m.stop();
});

test("client-node over TLS with the member's kubeconfig: a Deployment becomes Available and an informer sees its pods", async () => {
  const kc = new KubeConfig();
  kc.loadFromFile(m.member.kubeconfigPath);
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const seen = new Set<string>();
  const informer = makeInformer<V1Pod>(kc, "/api/v1/namespaces/default/pods", () =>
    core.listNamespacedPod({ namespace: "default" }),
  );
  informer.on("update", (pod) => {
    if (pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
      seen.add(pod.metadata?.name ?? "");
  });
  informer.on("error", () => {});
  await informer.start();
  try {
    await apps.createNamespacedDeployment({
      namespace: "default",
      body: {
        metadata: { name: "hello" },
        spec: {
          replicas: 4,
          selector: { matchLabels: { app: "hello" } },
          template: {
            metadata: { labels: { app: "hello" } },
            spec: { containers: [{ name: "c", image: "nginx" }] },
          },
        },
      },
    });
    const status = await eventually("Available", async () => {
      const deployment = await apps.readNamespacedDeployment({ namespace: "default", name: "hello" });
      const available = deployment.status?.conditions?.find((c) => c.type === "Available")?.status === "True";
      return available && deployment.status?.availableReplicas === 4 ? deployment.status : undefined;
    });
    assert.equal(status.readyReplicas, 4);
    await eventually("the informer saw 4 ready pods", async () => seen.size === 4);
    const nodes = await core.listNode();
    assert.equal(nodes.items.length, 3);
  } finally {
    await informer.stop();
  }
});
