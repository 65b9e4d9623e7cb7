import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { prefixEnd, SqliteStore } from "./sqlite-store.ts";
import { runStoreContract } from "./store-contract.ts";

let root = "";
let opened = 0;
before(async () => {
  root = await mkdtemp(join(tmpdir(), "atoll-sqlite-store-"));
});
after(() => rm(root, { recursive: true, force: true }));

runStoreContract("sqlite", async () => {
  const path = join(root, `store-${opened++}.db`);
  return {
    store: await SqliteStore.open(path),
    reopen: () => SqliteStore.open(path),
    cleanup: () => rm(path, { force: true }),
  };
});

describe("sqlite store", () => {
  test("a second open of a file in use fails instead of sharing it", async () => {
    const path = join(root, "locked.db");
    const store = await SqliteStore.open(path);
    try {
      await assert.rejects(SqliteStore.open(path), /failed to open sqlite store at .*locked/);
    } finally {
      await store.close();
    }
    const again = await SqliteStore.open(path);
    await again.close();
  });

  test("full durability keeps writes across a reopen", async () => {
    const path = join(root, "full.db");
    const store = await SqliteStore.open(path, { durability: "full" });
    const created = await store.create("/k/a", "1");
    await store.close();
    const reopened = await SqliteStore.open(path, { durability: "full" });
    assert.deepEqual(await reopened.get("/k/a"), created);
    await reopened.close();
  });

  test("prefixEnd is the first string past every key under the prefix", () => {
    assert.equal(prefixEnd("/pods/"), "/pods0");
    assert.equal(prefixEnd(""), undefined);
    assert.equal(prefixEnd("a\u{10ffff}"), "b");
    assert.equal(prefixEnd("\u{10ffff}"), undefined);
    assert.equal(prefixEnd("a\u{d7ff}"), "a\u{e000}");
    assert.equal(prefixEnd("a😀"), "a😁");
  });
});

test("writes acknowledged before the process is killed survive", async () => {
  const path = join(root, "killed.db");
  const storeModule = new URL("./sqlite-store.ts", import.meta.url).href;
  const script = `
    const { SqliteStore } = await import(${JSON.stringify(storeModule)});
    const store = await SqliteStore.open(${JSON.stringify(path)});
    for (let i = 0; i < 200; i++) await store.create("/k/" + i, String(i));
    await store.delete("/k/0");
    process.kill(process.pid, "SIGKILL");`;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(child.signal, "SIGKILL", child.stderr);
  const store = await SqliteStore.open(path);
  try {
    assert.equal(await store.currentRevision(), 201);
    const { kvs } = await store.range({ prefix: "/k/" });
    assert.equal(kvs.length, 199);
    assert.deepEqual(await store.get("/k/199"), {
      key: "/k/199",
      value: "199",
      createRevision: 200,
      modRevision: 200,
    });
  } finally {
    await store.close();
  }
});
