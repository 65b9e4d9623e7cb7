import assert from "node:assert/strict";
import { test } from "node:test";
import type { KubeClient, WatchHandlers } from "./client.ts";
import { Informer } from "./informer.ts";
import type { KubeObject } from "./object.ts";
import { R } from "./resources.ts";

/** A client that lists `items` and hands the watch handlers to the test. */
function fakeClient(items: KubeObject[]): { client: KubeClient; events: () => WatchHandlers } {
  let handlers: WatchHandlers | undefined;
  const client = {
    list: async () => ({ items, resourceVersion: "10" }),
    watch: (_r: unknown, _o: unknown, h: WatchHandlers) => {
      handlers = h;
      return { stop() {} };
    },
  } as unknown as KubeClient;
  return {
    client,
    events: () => {
      if (!handlers) throw new Error("not watching");
      return handlers;
    },
  };
}

const pod = (namespace: string, name: string, rv: string, owner?: string): KubeObject => ({
  metadata: {
    namespace,
    name,
    resourceVersion: rv,
    ...(owner
      ? { ownerReferences: [{ apiVersion: "v1", kind: "X", name: owner, uid: owner, controller: true }] }
      : {}),
  },
});

test("list(namespace) reads the namespace index and keeps an updated object in its place", async () => {
  const { client, events } = fakeClient([pod("a", "p1", "1"), pod("b", "p2", "2"), pod("a", "p3", "3")]);
  const informer = new Informer(client, R.pods);
  informer.start();
  await informer.synced();
  assert.deepEqual(
    informer.list("a").map((p) => p.metadata.name),
    ["p1", "p3"],
  );
  events().onEvent("MODIFIED", pod("a", "p1", "4"));
  events().onEvent("ADDED", pod("a", "p0", "5"));
  events().onEvent("DELETED", pod("a", "p3", "6"));
  assert.deepEqual(
    informer.list("a").map((p) => `${p.metadata.name}@${p.metadata.resourceVersion}`),
    ["p1@4", "p0@5"],
  );
  assert.deepEqual(informer.list("c"), []);
  assert.equal(informer.list().length, 3);
  informer.stop();
});

test("an index added after objects arrived covers them and follows later changes", async () => {
  const { client, events } = fakeClient([pod("a", "p1", "1", "rs-1"), pod("a", "p2", "2")]);
  const informer = new Informer(client, R.pods);
  informer.start();
  await informer.synced();
  const owner = (o: KubeObject) => (o.metadata.ownerReferences ?? []).map((r) => r.uid);
  informer.addIndexer("owner", owner);
  informer.addIndexer("owner", () => ["ignored: a second index of the same name"]);
  assert.deepEqual(
    informer.byIndex("owner", "rs-1").map((p) => p.metadata.name),
    ["p1"],
  );
  events().onEvent("MODIFIED", pod("a", "p2", "3", "rs-1"));
  events().onEvent("MODIFIED", pod("a", "p1", "4", "rs-2"));
  assert.deepEqual(
    informer.byIndex("owner", "rs-1").map((p) => p.metadata.name),
    ["p2"],
  );
  assert.deepEqual(
    informer.byIndex("owner", "rs-2").map((p) => p.metadata.name),
    ["p1"],
  );
  informer.stop();
});
