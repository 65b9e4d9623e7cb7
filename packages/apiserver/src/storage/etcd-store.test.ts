import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { recordWatch, revisionsOf } from "./contract-support.ts";
import { EtcdStore } from "./etcd-store.ts";
import { prefixEnd } from "./etcd-store-codec.ts";
import { type LocalEtcd, startLocalEtcd } from "./etcd-store-server.ts";
import { parseEtcdSpec } from "./etcd-store-spec.ts";
import { runStoreContract } from "./store-contract.ts";

// etcd fsyncs every write: on tmpfs the suite takes seconds, not minutes.
const scratch = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
let root = "";
let started = 0;
const running = new Set<LocalEtcd>();

before(async () => {
  root = await mkdtemp(join(scratch, "atoll-etcd-store-"));
});
after(async () => {
  for (const etcd of running) await etcd.stop();
  await rm(root, { recursive: true, force: true });
});

/** A fresh etcd of its own for one test (the store contract counts revisions from an untouched keyspace). */
async function freshEtcd(): Promise<{ etcd: LocalEtcd; stop: () => Promise<void> }> {
  const dataDir = join(root, `etcd-${started++}`);
  const etcd = await startLocalEtcd({ dataDir, logFile: `${dataDir}.log` });
  running.add(etcd);
  return {
    etcd,
    stop: async () => {
      await etcd.stop();
      running.delete(etcd);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

runStoreContract("etcd", async () => {
  const { etcd, stop } = await freshEtcd();
  const spec = `${etcd.url}?prefix=/contract`;
  return { store: await EtcdStore.open(spec), reopen: () => EtcdStore.open(spec), cleanup: stop };
});

describe("etcd store", () => {
  test("keys live under the prefix, and revisions are etcd's own", async () => {
    const { etcd, stop } = await freshEtcd();
    const store = await EtcdStore.open(`${etcd.url}?prefix=/atoll`);
    const other = await EtcdStore.open(`${etcd.url}?prefix=/elsewhere`);
    try {
      const created = await store.create("/registry/a", '{"a":1}');
      assert.equal(created.modRevision, 2, "a fresh etcd is at revision 1");
      const foreign = await other.create("/registry/a", "x");
      assert.equal(foreign.modRevision, 3);
      assert.deepEqual(
        (await store.range({ prefix: "/" })).kvs.map((kv) => [kv.key, kv.value]),
        [["/registry/a", '{"a":1}']],
      );
      const raw = await fetchJson(`${etcd.url}/v3/kv/range`, { key: b64("/atoll/registry/a") });
      assert.equal(raw.kvs[0].mod_revision, "2");
    } finally {
      await store.close();
      await other.close();
      await stop();
    }
  });

  test("a watch hears other clients' writes in order, interleaved with its own", async () => {
    const { etcd, stop } = await freshEtcd();
    const store = await EtcdStore.open(etcd.url);
    const other = await EtcdStore.open(etcd.url);
    try {
      const watch = recordWatch(store, { prefix: "/k/", afterRevision: await store.currentRevision() });
      const writes = [];
      for (let i = 0; i < 20; i++) writes.push((i % 2 === 0 ? store : other).create(`/k/${i}`, "v"));
      const revisions = (await Promise.all(writes)).map((kv) => kv.modRevision).sort((a, b) => a - b);
      await watch.untilEvents(20, 5000);
      assert.deepEqual(revisionsOf(watch.events), revisions);
      watch.cancel();
    } finally {
      await store.close();
      await other.close();
      await stop();
    }
  });

  test("a watch outlives an etcd restart and resumes where it was", async () => {
    const dataDir = join(root, "restarted");
    let etcd = await startLocalEtcd({ dataDir });
    running.add(etcd);
    const { clientPort, peerPort } = etcd;
    const store = await EtcdStore.open(etcd.url, { requestTimeoutMs: 2000 });
    try {
      const watch = recordWatch(store, { prefix: "/k/", afterRevision: await store.currentRevision() });
      await store.create("/k/before", "v");
      await etcd.stop();
      running.delete(etcd);
      await assert.rejects(store.get("/k/before"), /failed to get "\/k\/before": etcd at .* is unreachable/);
      etcd = await startLocalEtcd({ dataDir, clientPort, peerPort });
      running.add(etcd);
      const writer = await EtcdStore.open(etcd.url);
      await writer.create("/k/after", "v");
      await writer.close();
      await watch.untilEvents(2, 10_000);
      assert.deepEqual(
        watch.events.map((event) => event.kv.key),
        ["/k/before", "/k/after"],
      );
      watch.cancel();
    } finally {
      await store.close();
      await etcd.stop();
      running.delete(etcd);
    }
  });

  test("an unreachable etcd fails open with an error naming it", async () => {
    const url = "http://127.0.0.1:9";
    await assert.rejects(EtcdStore.open(url), (error: Error) => {
      assert.match(error.message, /failed to open etcd store at http:\/\/127\.0\.0\.1:9: .*ECONNREFUSED/);
      return true;
    });
  });

  test("a second endpoint takes over when the first refuses connections", async () => {
    const { etcd, stop } = await freshEtcd();
    const store = await EtcdStore.open(`http://127.0.0.1:9,${etcd.url}`);
    try {
      const created = await store.create("/a", "1");
      assert.deepEqual(await store.get("/a"), created);
    } finally {
      await store.close();
      await stop();
    }
  });

  test("specs name endpoints and a prefix, and bad ones are refused", () => {
    assert.deepEqual(parseEtcdSpec("http://127.0.0.1:2379"), {
      endpoints: ["http://127.0.0.1:2379"],
      prefix: "/atoll",
    });
    assert.deepEqual(parseEtcdSpec("http://a:1,http://b:2?prefix=/x"), {
      endpoints: ["http://a:1", "http://b:2"],
      prefix: "/x",
    });
    assert.equal(parseEtcdSpec("http://a:1?prefix=").prefix, "");
    assert.throws(() => parseEtcdSpec("https://a:1"), /https: endpoints are not supported/);
    assert.throws(() => parseEtcdSpec("a:1:x"), /not a URL|are not supported/);
    assert.throws(() => parseEtcdSpec("http://a:1?ttl=3"), /unknown option "ttl"/);
  });

  test("prefixEnd follows etcd's byte rules", () => {
    assert.deepEqual(prefixEnd(Buffer.from("/a/")), Buffer.from("/a0"));
    assert.deepEqual(prefixEnd(Buffer.from([0x61, 0xff])), Buffer.from([0x62]));
    assert.deepEqual(prefixEnd(Buffer.from([0xff])), Buffer.from([0]));
    assert.deepEqual(prefixEnd(Buffer.alloc(0)), Buffer.from([0]));
  });
});

function b64(text: string): string {
  return Buffer.from(text).toString("base64");
}

async function fetchJson(url: string, body: object): Promise<{ kvs: Array<{ mod_revision: string }> }> {
  const response = await fetch(url, { method: "POST", body: JSON.stringify(body) });
  return (await response.json()) as { kvs: Array<{ mod_revision: string }> };
}
