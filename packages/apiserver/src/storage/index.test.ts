import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openStore } from "./index.ts";

test("openStore opens a memory store", async () => {
  const store = await openStore("memory");
  assert.equal(store.kind, "memory");
  await store.close();
});

test("openStore opens a sqlite store at the given path", async () => {
  const dir = await mkdtemp(join(tmpdir(), "atoll-open-store-"));
  try {
    const store = await openStore(`sqlite:${join(dir, "atoll.db")}`);
    assert.equal(store.kind, "sqlite");
    await store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("openStore rejects a spec it does not know, naming the accepted forms", async () => {
  for (const spec of ["", "etcd//localhost:2379", "sqlite:", "etcd:", "Memory"]) {
    await assert.rejects(openStore(spec), /expected "memory", "sqlite:PATH" or "etcd:http:\/\/HOST:PORT/);
  }
});

test("openStore opens an etcd store, or says why it cannot", async () => {
  await assert.rejects(openStore("etcd:https://127.0.0.1:1"), /https: endpoints are not supported/);
  await assert.rejects(
    openStore("etcd:http://127.0.0.1:9"),
    /failed to open etcd store at http:\/\/127.0.0.1:9/,
  );
});
