import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { expectStorageError, type OpenStore, recordWatch, withStore } from "./contract-support.ts";
import type { Store } from "./store.ts";
import { watchContract } from "./store-contract-watch.ts";

export type { OpenedStore, OpenStore } from "./contract-support.ts";

/**
 * Registers node:test tests that hold a `Store` implementation to every promise
 * in store.ts. `open` must return a fresh, empty store each time (written to by
 * nobody else; its revision may start above 0, as etcd's starts at 1); when it
 * also returns `reopen`, the durability tests run too. Every implementation runs
 * this same suite, so they behave alike.
 */
export function runStoreContract(name: string, open: OpenStore): void {
  describe(`${name} store contract`, () => {
    writeContract(open);
    rangeContract(open);
    compactionContract(open);
    watchContract(open);
    durabilityContract(open);
  });
}

function writeContract(open: OpenStore): void {
  test("each write advances the revision by exactly one and stamps the key with it", () =>
    withStore(open, async (store) => {
      const start = await store.currentRevision();
      const created = await store.create("/a", "1");
      assert.deepEqual(created, { key: "/a", value: "1", createRevision: start + 1, modRevision: start + 1 });
      const updated = await store.update("/a", "2", created.modRevision);
      assert.deepEqual(updated, { key: "/a", value: "2", createRevision: start + 1, modRevision: start + 2 });
      await store.delete("/a");
      assert.equal(await store.currentRevision(), start + 3);
      await expectStorageError(store.update("/a", "3", updated.modRevision), "KeyNotFound");
      assert.equal(await store.currentRevision(), start + 3, "a failed write does not advance the revision");
    }));

  test("create fails with KeyExists while the key exists", () =>
    withStore(open, async (store) => {
      const created = await store.create("/a", "1");
      const error = await expectStorageError(store.create("/a", "2"), "KeyExists");
      assert.equal(error.key, "/a");
      assert.deepEqual(await store.get("/a"), created);
    }));

  test("update is a compare-and-swap on modRevision", () =>
    withStore(open, async (store) => {
      await expectStorageError(store.update("/a", "1", 1), "KeyNotFound");
      const created = await store.create("/a", "1");
      const updated = await store.update("/a", "2", created.modRevision);
      const conflict = await expectStorageError(store.update("/a", "3", created.modRevision), "Conflict");
      assert.deepEqual(conflict.current, updated, "a Conflict carries the current kv");
      assert.deepEqual(await store.get("/a"), updated);
    }));

  test("delete returns the last value stamped with the delete's revision", () =>
    withStore(open, async (store) => {
      const created = await store.create("/a", "1");
      await store.create("/b", "1");
      const deleted = await store.delete("/a");
      assert.deepEqual(deleted, { ...created, modRevision: await store.currentRevision() });
      assert.equal(await store.get("/a"), undefined);
      await expectStorageError(store.delete("/a"), "KeyNotFound");
      const b = await store.update("/b", "2", created.modRevision + 1);
      const conflict = await expectStorageError(store.delete("/b", b.modRevision - 1), "Conflict");
      assert.deepEqual(conflict.current, b);
      assert.deepEqual(await store.get("/b"), b, "a failed delete leaves the key");
      assert.equal((await store.delete("/b", b.modRevision)).value, "2");
    }));

  test("a key recreated after a delete starts a new createRevision", () =>
    withStore(open, async (store) => {
      const first = await store.create("/a", "1");
      await store.delete("/a");
      const second = await store.create("/a", "2");
      assert.equal(second.createRevision, first.createRevision + 2);
      assert.equal(second.createRevision, second.modRevision);
      assert.deepEqual(await store.get("/a"), second);
    }));
}

function rangeContract(open: OpenStore): void {
  test("range returns the keys under a prefix in key order, at the current revision", () =>
    withStore(open, async (store) => {
      for (const key of ["/pods/b", "/pods/a", "/podsx/z", "/pod", "/pods/c", "/services/a"]) {
        await store.create(key, key);
      }
      await store.create("/pods/d", "gone");
      await store.delete("/pods/d");
      const result = await store.range({ prefix: "/pods/" });
      assert.deepEqual(
        result.kvs.map((kv) => kv.key),
        ["/pods/a", "/pods/b", "/pods/c"],
      );
      assert.deepEqual(result.kvs[0], await store.get("/pods/a"));
      assert.equal(result.revision, await store.currentRevision());
      assert.equal(result.more, false);
      assert.equal(result.remaining, 0);
      const everything = await store.range({ prefix: "" });
      assert.deepEqual(
        everything.kvs.map((kv) => kv.key),
        ["/pod", "/pods/a", "/pods/b", "/pods/c", "/podsx/z", "/services/a"],
      );
      assert.deepEqual((await store.range({ prefix: "/nodes/" })).kvs, []);
    }));

  test("range pages with after, limit, more and remaining", () =>
    withStore(open, async (store) => {
      const keys = Array.from({ length: 10 }, (_, i) => `/pods/p${i}`);
      for (const key of keys) await store.create(key, "v");
      await store.create("/pods/p5x", "deleted");
      await store.delete("/pods/p5x");
      await store.create("/zzz", "outside");
      const first = await store.range({ prefix: "/pods/", limit: 4 });
      assert.deepEqual(
        first.kvs.map((kv) => kv.key),
        keys.slice(0, 4),
      );
      assert.equal(first.more, true);
      assert.equal(first.remaining, 6, "deleted keys and other prefixes are not counted");
      const seen: string[] = [];
      let after: string | undefined;
      for (let page = 0; page < 5; page++) {
        const result = await store.range({ prefix: "/pods/", after, limit: 3, revision: first.revision });
        seen.push(...result.kvs.map((kv) => kv.key));
        assert.equal(result.remaining, keys.length - seen.length);
        assert.equal(result.more, result.remaining > 0);
        if (!result.more) break;
        after = result.kvs[result.kvs.length - 1].key;
      }
      assert.deepEqual(seen, keys);
      const fromMiddle = await store.range({ prefix: "/pods/", after: "/pods/p45" });
      assert.equal(fromMiddle.kvs[0].key, "/pods/p5");
      assert.equal((await store.range({ prefix: "/pods/", after: "/a" })).kvs.length, 10);
      assert.equal(
        (await store.range({ prefix: "/pods/", limit: 0 })).kvs.length,
        10,
        "limit 0 means no limit",
      );
      assert.deepEqual((await store.range({ prefix: "/pods/", after: "/pods/p9" })).kvs, []);
    }));

  test("range at a past revision sees the keyspace as it was then", () =>
    withStore(open, async (store) => {
      const a = await store.create("/k/a", "a1");
      const b = await store.create("/k/b", "b1");
      const then = await store.currentRevision();
      await store.update("/k/a", "a2", a.modRevision);
      await store.delete("/k/b");
      await store.create("/k/c", "c1");
      const past = await store.range({ prefix: "/k/", revision: then });
      assert.equal(past.revision, then);
      assert.deepEqual(past.kvs, [a, b]);
      const before = await store.range({ prefix: "/k/", revision: a.modRevision });
      assert.deepEqual(before.kvs, [a]);
      const now = await store.range({ prefix: "/k/" });
      assert.deepEqual(
        now.kvs.map((kv) => kv.value),
        ["a2", "c1"],
      );
      await expectStorageError(store.range({ prefix: "/k/", revision: now.revision + 1 }), "FutureRevision");
    }));
}

function compactionContract(open: OpenStore): void {
  test("compaction drops history below it but keeps the keyspace at and after it", () =>
    withStore(open, async (store) => {
      const kept = await store.create("/k/kept", "1");
      const changed = await store.create("/k/changed", "1");
      await store.create("/k/gone", "1");
      await store.update("/k/changed", "2", changed.modRevision);
      await store.delete("/k/gone");
      const at = await store.currentRevision();
      await store.update("/k/changed", "3", at - 1);
      const snapshotAt = await store.range({ prefix: "/k/", revision: at });
      assert.equal(await store.compactedRevision(), 0);
      await store.compact(at);
      assert.equal(await store.compactedRevision(), at);
      await expectStorageError(store.range({ prefix: "/k/", revision: at - 1 }), "Compacted");
      assert.deepEqual(await store.range({ prefix: "/k/", revision: at }), snapshotAt);
      const now = await store.range({ prefix: "/k/" });
      assert.deepEqual(
        now.kvs.map((kv) => [kv.key, kv.value]),
        [
          ["/k/changed", "3"],
          ["/k/kept", "1"],
        ],
      );
      assert.deepEqual(await store.get("/k/kept"), kept);
      assert.equal(await store.get("/k/gone"), undefined);
      await store.compact(at - 2);
      assert.equal(await store.compactedRevision(), at, "compacting below the compaction point does nothing");
      await expectStorageError(store.compact(at + 5), "FutureRevision");
      const recreated = await store.create("/k/gone", "again");
      assert.equal(recreated.createRevision, recreated.modRevision);
    }));
}

function durabilityContract(open: OpenStore): void {
  test("a reopened store keeps every key, the revision counter and the compaction point", async (t) => {
    const opened = await open();
    const { reopen } = opened;
    if (reopen === undefined) {
      await opened.store.close();
      await opened.cleanup();
      return t.skip("not a durable store");
    }
    let store: Store = opened.store;
    try {
      const a = await store.create("/k/a", "a1");
      await store.update("/k/a", "a2", a.modRevision);
      await store.create("/k/b", "b1");
      const compactAt = await store.currentRevision();
      await store.create("/k/c", "c1");
      await store.compact(compactAt);
      await store.delete("/k/b");
      await store.delete("/k/c");
      await store.compact(await store.currentRevision());
      const revision = await store.currentRevision();
      const snapshot = await store.range({ prefix: "" });
      await store.close();

      store = await reopen();
      assert.equal(
        await store.currentRevision(),
        revision,
        "the revision survives even when its row was compacted",
      );
      assert.equal(await store.compactedRevision(), revision);
      assert.deepEqual(await store.range({ prefix: "" }), snapshot);
      const next = await store.create("/k/d", "d1");
      assert.equal(next.modRevision, revision + 1);
      await store.close();

      store = await reopen();
      assert.deepEqual(await store.get("/k/d"), next);
      assert.equal(await store.currentRevision(), revision + 1);
      const watch = recordWatch(store, { prefix: "/k/", afterRevision: revision });
      await watch.untilEvents(1);
      assert.deepEqual(watch.events, [{ type: "put", kv: next }], "history written before a restart replays");
      watch.cancel();
    } finally {
      await store.close();
      await opened.cleanup();
    }
  });
}
