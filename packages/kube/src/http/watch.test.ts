import assert from "node:assert/strict";
import { test } from "node:test";
import type { KubeClient, ResourceId, WatchEventType } from "../client.ts";
import { StatusError } from "../errors.ts";
import { HttpKubeClient } from "../http-client.ts";
import { Informer } from "../informer.ts";
import type { KubeObject } from "../object.ts";
import { startTestApiServer, type TestApiServer } from "./test-api-server.ts";

const configmaps: ResourceId = {
  group: "",
  version: "v1",
  resource: "configmaps",
  namespaced: true,
  kind: "ConfigMap",
};

function configMap(name: string, data: Record<string, string> = {}): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default" }, data };
}

/** Polls `check` until it holds, failing after `timeoutMs`. */
async function eventually(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Runs `body` with a fresh server and client, stopping both whatever happens. */
async function withServer(
  options: Parameters<typeof startTestApiServer>[0],
  body: (client: HttpKubeClient, api: TestApiServer) => Promise<void>,
): Promise<void> {
  const api = await startTestApiServer(options);
  const client = HttpKubeClient.fromKubeconfigText(api.kubeconfig);
  try {
    await body(client, api);
  } finally {
    client.close();
    await api.stop();
  }
}

type Recorded = { events: Array<[WatchEventType, string | undefined]>; closed: unknown[] };

function record(client: KubeClient, options: { resourceVersion?: string }): Recorded & { stop(): void } {
  const recorded: Recorded = { events: [], closed: [] };
  const watch = client.watch(
    configmaps,
    { namespace: "default", ...options },
    {
      onEvent: (type, object) => {
        if (type !== "BOOKMARK") recorded.events.push([type, object.metadata.name]);
      },
      onClose: (error) => recorded.closed.push(error ?? "normal end"),
    },
  );
  return { ...recorded, stop: () => watch.stop() };
}

test("watch delivers changes after a resourceVersion; stop() ends it without onClose", async () => {
  await withServer({}, async (client) => {
    await client.create(configmaps, "default", configMap("before"));
    const { resourceVersion } = await client.list(configmaps, { namespace: "default" });
    const watch = record(client, { resourceVersion });
    await client.create(configmaps, "default", configMap("w", { a: "1" }));
    await client.patch(configmaps, "default", "w", "merge", { data: { a: "2" } });
    await client.delete(configmaps, "default", "w");
    await eventually("three events", () => watch.events.length >= 3);
    assert.deepEqual(watch.events, [
      ["ADDED", "w"],
      ["MODIFIED", "w"],
      ["DELETED", "w"],
    ]);
    watch.stop();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(watch.closed, []);
  });
});

test("watch without a resourceVersion starts with the current objects", async () => {
  await withServer({}, async (client) => {
    await client.create(configmaps, "default", configMap("existing"));
    const watch = record(client, {});
    await eventually("the initial ADDED", () => watch.events.length >= 1);
    assert.deepEqual(watch.events, [["ADDED", "existing"]]);
    watch.stop();
  });
});

test("watch from a compacted resourceVersion ends with Expired", async () => {
  await withServer({ watchHistory: 2 }, async (client) => {
    const { resourceVersion } = await client.list(configmaps, { namespace: "default" });
    for (let i = 0; i < 5; i++) await client.create(configmaps, "default", configMap(`churn-${i}`));
    const watch = record(client, { resourceVersion });
    await eventually("onClose", () => watch.closed.length > 0);
    const [error] = watch.closed;
    assert.ok(error instanceof StatusError, String(error));
    assert.equal(error.reason, "Expired");
    assert.equal(error.code, 410);
    assert.match(error.message, /too old resource version/);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(watch.closed.length, 1, "onClose is called once");
  });
});

test("watch ends normally at the server's timeout, and with ServiceUnavailable when the server goes away", async () => {
  await withServer({ watchTimeoutSeconds: 1 }, async (client, api) => {
    const { resourceVersion } = await client.list(configmaps, { namespace: "default" });
    const timedOut = record(client, { resourceVersion });
    await eventually("the server-side timeout", () => timedOut.closed.length > 0, 5000);
    assert.deepEqual(timedOut.closed, ["normal end"]);

    const dropped = record(client, { resourceVersion });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await api.server.pause();
    await eventually("onClose after the drop", () => dropped.closed.length > 0);
    const [error] = dropped.closed;
    assert.ok(error instanceof StatusError, String(error));
    assert.equal(error.reason, "ServiceUnavailable");
    assert.ok(error.cause, "the transport error is kept as cause");
  });
});

test("an Informer over HTTP stays in sync across server-side watch timeouts", async () => {
  await withServer({ watchTimeoutSeconds: 1, bookmarkIntervalMs: 200 }, async (client) => {
    let watches = 0;
    const counting: KubeClient = {
      get: (...args) => client.get(...args),
      list: (...args) => client.list(...args),
      create: (...args) => client.create(...args),
      update: (...args) => client.update(...args),
      patch: (...args) => client.patch(...args),
      delete: (...args) => client.delete(...args),
      watch: (...args) => {
        watches++;
        return client.watch(...args);
      },
    };
    const informer = new Informer(counting, configmaps, { namespace: "default" });
    const seen: string[] = [];
    informer.addHandlers({
      onAdd: (o) => seen.push(`add ${o.metadata.name}`),
      onUpdate: (o) => seen.push(`update ${o.metadata.name}`),
      onDelete: (o) => seen.push(`delete ${o.metadata.name}`),
    });
    informer.start();
    try {
      await client.create(configmaps, "default", configMap("a", { v: "1" }));
      await eventually("the informer to sync", () => informer.get("default/a") !== undefined);

      await eventually("two server-side watch timeouts", () => watches >= 3, 8000);
      await client.patch(configmaps, "default", "a", "merge", { data: { v: "2" } });
      await client.create(configmaps, "default", configMap("b"));
      await eventually("two more watch restarts", () => watches >= 5, 8000);
      await client.delete(configmaps, "default", "a");
      await eventually(
        "the informer to follow",
        () => informer.get("default/a") === undefined && informer.get("default/b") !== undefined,
      );
      assert.deepEqual(
        informer.list().map((o) => o.metadata.name),
        ["b"],
      );
      assert.deepEqual(seen, ["add a", "update a", "add b", "delete a"]);
    } finally {
      informer.stop();
    }
  });
});
