import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { CoreV1Api, KubeConfig, makeInformer, type V1ConfigMap } from "@kubernetes/client-node";
import { startTestServer, type TestServer } from "./harness.ts";

let env: TestServer;
let lists = 0;

before(async () => {
  env = await startTestServer({
    // A tiny history window and short watches make resumes hit expired resourceVersions.
    watchHistory: 4,
    watchTimeoutSeconds: 1,
    onRequest: (event) => {
      if (event.method === "GET" && event.path === "/api/v1/namespaces/default/configmaps") lists++;
    },
  });
});
after(async () => {
  await env.stop();
});

function client(): { kc: KubeConfig; api: CoreV1Api } {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "test", server: env.url, skipTLSVerify: true }],
    users: [{ name: "test" }],
    contexts: [{ name: "test", cluster: "test", user: "test" }],
    currentContext: "test",
  });
  return { kc, api: kc.makeApiClient(CoreV1Api) };
}

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const LABELS = { informer: "yes" };

test("an informer sees every create, update and delete, across a forced watch expiry (410 → relist)", async () => {
  const { kc, api } = client();
  const seen = { add: [] as string[], update: [] as string[], delete: [] as string[] };
  const informer = makeInformer<V1ConfigMap>(
    kc,
    "/api/v1/namespaces/default/configmaps",
    () => api.listNamespacedConfigMap({ namespace: "default", labelSelector: "informer=yes" }),
    "informer=yes",
  );
  informer.on("add", (o) => seen.add.push(o.metadata?.name ?? ""));
  informer.on("update", (o) => seen.update.push(o.metadata?.name ?? ""));
  informer.on("delete", (o) => seen.delete.push(o.metadata?.name ?? ""));
  informer.on("error", () => {
    // The informer restarts itself; the assertions below judge the outcome.
  });
  const create = (name: string, labels?: Record<string, string>) =>
    api.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name, labels } } });
  const update = async (name: string, data: Record<string, string>) => {
    const current = await api.readNamespacedConfigMap({ namespace: "default", name });
    await api.replaceNamespacedConfigMap({ namespace: "default", name, body: { ...current, data } });
  };
  await informer.start();
  try {
    await create("a", LABELS);
    await create("b", LABELS);
    await update("a", { v: "2" });
    await api.deleteNamespacedConfigMap({ namespace: "default", name: "b" });
    await until(
      "live events",
      () => seen.add.includes("b") && seen.update.includes("a") && seen.delete.includes("b"),
    );
    const listsBefore = lists;

    // Writes the informer does not select move the history window past its resourceVersion.
    for (let i = 0; i < 12; i++) await create(`noise-${i}`);
    await until("a relist after 410 Expired", () => lists > listsBefore);

    await create("c", LABELS);
    await update("a", { v: "3" });
    await api.deleteNamespacedConfigMap({ namespace: "default", name: "a" });
    await until("events after the relist", () => seen.add.includes("c") && seen.delete.includes("a"));
    assert.equal(seen.update.filter((n) => n === "a").length, 2);
    assert.deepEqual(
      informer
        .list("default")
        .map((o) => o.metadata?.name)
        .sort(),
      ["c"],
    );
  } finally {
    await informer.stop();
  }
});
