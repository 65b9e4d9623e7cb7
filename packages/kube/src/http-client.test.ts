import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { KubeConfig } from "@kubernetes/client-node";
import type { ResourceId } from "./client.ts";
import { rejectsWith, startTestApiServer, TEST_TOKEN, type TestApiServer } from "./http/test-api-server.ts";
import { HttpKubeClient } from "./http-client.ts";
import type { KubeObject } from "./object.ts";

const configmaps: ResourceId = {
  group: "",
  version: "v1",
  resource: "configmaps",
  namespaced: true,
  kind: "ConfigMap",
};
const pods: ResourceId = { group: "", version: "v1", resource: "pods", namespaced: true, kind: "Pod" };
const deployments: ResourceId = {
  group: "apps",
  version: "v1",
  resource: "deployments",
  namespaced: true,
  kind: "Deployment",
};

function configMap(name: string, data: Record<string, string>, labels?: Record<string, string>): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default", labels }, data };
}

function deployment(name: string): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "default" },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "web", image: "nginx" }] },
      },
    },
  };
}

describe("HttpKubeClient against an Atoll API server over HTTPS", () => {
  let api: TestApiServer;
  let client: HttpKubeClient;
  before(async () => {
    api = await startTestApiServer();
    client = HttpKubeClient.fromKubeconfigText(api.kubeconfig);
  });
  after(async () => {
    client?.close();
    await api?.stop();
  });

  test("exposes the server URL and CA data from the kubeconfig", () => {
    assert.equal(client.server, api.server.url);
    assert.match(Buffer.from(client.caData ?? "", "base64").toString(), /BEGIN CERTIFICATE/);
  });

  test("creates, reads, lists, updates and deletes ConfigMaps", async () => {
    const created = await client.create(
      configmaps,
      "default",
      configMap("crud", { a: "1" }, { app: "crud" }),
    );
    assert.equal(created.metadata.namespace, "default");
    assert.ok(created.metadata.uid);
    assert.equal((await client.get(configmaps, "default", "crud"))?.metadata.uid, created.metadata.uid);
    await client.create(configmaps, undefined, configMap("crud-other", {}, { app: "other" }));

    const listed = await client.list(configmaps, { namespace: "default", labelSelector: "app=crud" });
    assert.deepEqual(
      listed.items.map((i) => [i.kind, i.apiVersion, i.metadata.name]),
      [["ConfigMap", "v1", "crud"]],
    );
    assert.match(listed.resourceVersion, /^\d+$/);
    const everywhere = await client.list(configmaps, { fieldSelector: "metadata.name=crud-other" });
    assert.deepEqual(
      everywhere.items.map((i) => i.metadata.name),
      ["crud-other"],
    );

    const updated = await client.update(configmaps, "default", { ...created, data: { a: "2" } });
    assert.deepEqual(updated.data, { a: "2" });
    const stale = await rejectsWith(
      client.update(configmaps, "default", { ...created, data: { a: "3" } }),
      "Conflict",
    );
    assert.equal(stale.code, 409);

    const deleted = await client.delete(configmaps, "default", "crud");
    assert.equal(deleted.metadata.uid, created.metadata.uid);
    assert.equal(await client.get(configmaps, "default", "crud"), undefined);
    const missing = await rejectsWith(client.delete(configmaps, "default", "crud"), "NotFound");
    assert.equal(missing.code, 404);
    assert.match(missing.message, /configmaps "crud" not found/);
    await rejectsWith(client.create(configmaps, "default", configMap("crud-other", {})), "AlreadyExists");
  });

  test("refuses requests that would address a whole collection", async () => {
    await rejectsWith(client.delete(configmaps, "default", ""), "BadRequest");
    await rejectsWith(client.get(configmaps, undefined, "crud-other"), "BadRequest");
  });

  test("writes the status and scale subresources of a Deployment, and binds a Pod", async () => {
    const created = await client.create(deployments, "default", deployment("web"));
    const withStatus = await client.update(
      deployments,
      "default",
      {
        ...created,
        spec: { ...(created.spec as object), replicas: 9 },
        status: { replicas: 1, observedGeneration: 1 },
      },
      { subresource: "status" },
    );
    assert.deepEqual(withStatus.status, { replicas: 1, observedGeneration: 1 });
    assert.equal((withStatus.spec as { replicas: number }).replicas, 1, "status writes leave spec alone");

    const scale = await client.patch(
      deployments,
      "default",
      "web",
      "merge",
      { spec: { replicas: 4 } },
      {
        subresource: "scale",
      },
    );
    assert.equal(scale.kind, "Scale");
    const scaled = await client.get(deployments, "default", "web");
    assert.equal((scaled?.spec as { replicas?: number } | undefined)?.replicas, 4);

    await client.create(pods, "default", {
      metadata: { name: "unbound" },
      spec: { containers: [{ name: "c", image: "busybox" }] },
    });
    const binding = {
      apiVersion: "v1",
      kind: "Binding",
      metadata: { name: "unbound" },
      target: { kind: "Node", name: "node-1" },
    };
    await client.create(pods, "default", binding, { subresource: "binding" });
    const bound = await client.get(pods, "default", "unbound");
    assert.equal((bound?.spec as { nodeName?: string } | undefined)?.nodeName, "node-1");
  });

  test("sends merge, strategic-merge and JSON patches", async () => {
    await client.create(deployments, "default", deployment("patched"));
    const sidecar = { spec: { template: { spec: { containers: [{ name: "sidecar", image: "envoy" }] } } } };
    const strategic = await client.patch(deployments, "default", "patched", "strategic", sidecar);
    const names = (o: KubeObject) =>
      (
        o.spec as { template: { spec: { containers: Array<{ name: string }> } } }
      ).template.spec.containers.map((c) => c.name);
    assert.deepEqual(
      names(strategic).sort(),
      ["sidecar", "web"],
      "strategic merge merges containers by name",
    );
    const merged = await client.patch(deployments, "default", "patched", "merge", sidecar);
    assert.deepEqual(names(merged), ["sidecar"], "a merge patch replaces lists");

    await client.create(configmaps, "default", configMap("json-patched", { a: "1" }));
    const json = await client.patch(configmaps, "default", "json-patched", "json", [
      { op: "replace", path: "/data/a", value: "2" },
      { op: "add", path: "/data/b", value: "3" },
    ]);
    assert.deepEqual(json.data, { a: "2", b: "3" });
    await rejectsWith(client.patch(configmaps, "default", "absent", "merge", { data: {} }), "NotFound");
  });

  test("server-side apply names its field manager, reports conflicts and forces", async () => {
    const intent = (owner: string) => configMap("applied", { owner });
    const first = await client.patch(configmaps, "default", "applied", "apply", intent("alice"), {
      fieldManager: "alice",
    });
    assert.deepEqual(first.data, { owner: "alice" });
    assert.ok(JSON.stringify(first.metadata.managedFields).includes('"manager":"alice"'));

    const conflict = await rejectsWith(
      client.patch(configmaps, "default", "applied", "apply", intent("bob"), { fieldManager: "bob" }),
      "Conflict",
    );
    assert.equal(conflict.code, 409);
    assert.match(conflict.message, /conflict with "alice"/);

    const forced = await client.patch(configmaps, "default", "applied", "apply", intent("bob"), {
      fieldManager: "bob",
      force: true,
    });
    assert.deepEqual(forced.data, { owner: "bob" });
  });

  test("dry runs write nothing", async () => {
    const dry = await client.create(configmaps, "default", configMap("dry", { a: "1" }), { dryRun: true });
    assert.equal(dry.metadata.name, "dry");
    assert.equal(await client.get(configmaps, "default", "dry"), undefined);
    await client.create(configmaps, "default", configMap("dry", { a: "1" }));
    await client.patch(configmaps, "default", "dry", "merge", { data: { a: "2" } }, { dryRun: true });
    assert.deepEqual((await client.get(configmaps, "default", "dry"))?.data, { a: "1" });
  });

  test("deletes with preconditions and a propagation policy", async () => {
    const created = await client.create(configmaps, "default", configMap("guarded", {}));
    await rejectsWith(
      client.delete(configmaps, "default", "guarded", { preconditions: { uid: "someone-else" } }),
      "Conflict",
    );
    await rejectsWith(
      client.delete(configmaps, "default", "guarded", { preconditions: { resourceVersion: "1" } }),
      "Conflict",
    );
    const deleted = await client.delete(configmaps, "default", "guarded", {
      propagationPolicy: "Background",
      gracePeriodSeconds: 0,
      preconditions: { uid: created.metadata.uid, resourceVersion: created.metadata.resourceVersion },
    });
    assert.equal(deleted.metadata.uid, created.metadata.uid);
    assert.equal(await client.get(configmaps, "default", "guarded"), undefined);
  });

  test("raw requests resolve whatever the status; streams deliver the body as it comes", async () => {
    const ready = await client.request("GET", "/readyz");
    assert.deepEqual([ready.status, ready.body], [200, "ok"]);
    const version = await client.request("GET", "/version");
    assert.equal(JSON.parse(version.body).major, "1");
    const missing = await client.request("GET", "/api/v1/namespaces/default/configmaps/nope");
    assert.equal(missing.status, 404);
    assert.equal(JSON.parse(missing.body).reason, "NotFound");

    const aborter = new AbortController();
    const watch = await client.stream("/api/v1/namespaces/default/configmaps?watch=true", aborter.signal);
    const first = await new Promise<string>((resolve, reject) => {
      watch.once("data", (chunk: Buffer) => resolve(chunk.toString()));
      watch.once("error", reject);
      setTimeout(() => reject(new Error("no data within 5 s")), 5000).unref();
    });
    assert.match(first, /"type":"ADDED"/);
    aborter.abort();
    await rejectsWith(client.stream("/api/v1/namespaces/default/pods/nope/log"), "NotFound");
  });

  test("an exec credential plugin supplies the token", async () => {
    const kc = new KubeConfig();
    kc.loadFromString(api.kubeconfig);
    const credential = {
      apiVersion: "client.authentication.k8s.io/v1beta1",
      kind: "ExecCredential",
      status: { token: TEST_TOKEN },
    };
    kc.addUser({
      name: "exec",
      exec: {
        apiVersion: "client.authentication.k8s.io/v1beta1",
        command: process.execPath,
        args: ["-e", `console.log(${JSON.stringify(JSON.stringify(credential))})`],
      },
    });
    kc.addContext({ name: "exec", cluster: "test", user: "exec" });
    const viaExec = HttpKubeClient.fromKubeConfig(kc, { context: "exec" });
    try {
      assert.ok(Array.isArray((await viaExec.list(configmaps)).items));
    } finally {
      viaExec.close();
    }
  });

  test("a wrong token is Unauthorized", async () => {
    const intruder = HttpKubeClient.fromKubeconfigText(api.kubeconfig, { context: "wrong-token" });
    try {
      const error = await rejectsWith(intruder.list(configmaps), "Unauthorized");
      assert.equal(error.code, 401);
    } finally {
      intruder.close();
    }
  });
});
