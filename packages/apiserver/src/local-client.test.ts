import assert from "node:assert/strict";
import { test } from "node:test";
import { Controller, Informer, type ResourceId, StatusError } from "@atoll/kube";
import { ApiServer } from "./api-server.ts";
import { MemoryStore } from "./storage/memory-store.ts";

const CONFIGMAPS: ResourceId = {
  group: "",
  version: "v1",
  resource: "configmaps",
  namespaced: true,
  kind: "ConfigMap",
};

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}

test("the in-process client has the API's semantics, and feeds informers and controllers", async () => {
  const store = new MemoryStore();
  const server = await ApiServer.start({ store });
  try {
    const client = server.client("test-controller");
    const informer = new Informer(client, CONFIGMAPS, { namespace: "default" });
    const reconciled: string[] = [];
    const controller = new Controller({
      name: "test",
      reconcile: async (key) => {
        reconciled.push(key);
        return undefined;
      },
    }).watches(informer);
    informer.start();
    await informer.synced();

    const created = await client.create(CONFIGMAPS, "default", { metadata: { name: "a" }, data: { x: "1" } });
    assert.equal(created.metadata.managedFields?.length, 1);
    await assert.rejects(client.create(CONFIGMAPS, "default", { metadata: { name: "a" } }), (e: unknown) => {
      return e instanceof StatusError && e.reason === "AlreadyExists";
    });
    await client.patch(CONFIGMAPS, "default", "a", "merge", { data: { x: "2" } });
    await until(() => (informer.get("default/a")?.data as { x?: string } | undefined)?.x === "2");
    await client.delete(CONFIGMAPS, "default", "a");
    await until(() => informer.get("default/a") === undefined);
    await until(() => reconciled.filter((k) => k === "default/a").length >= 1);
    const stale = { ...created, data: { x: "3" } };
    await client.create(CONFIGMAPS, "default", { metadata: { name: "a" } });
    await assert.rejects(
      client.update(CONFIGMAPS, "default", stale),
      (e: unknown) => e instanceof StatusError && e.code === 409,
    );
    controller.stop();
    informer.stop();
  } finally {
    await server.stop();
    await store.close();
  }
});
