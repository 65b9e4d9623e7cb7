import assert from "node:assert/strict";
import { test } from "node:test";
import {
  expectStorageError,
  type OpenStore,
  recordWatch,
  revisionsOf,
  settle,
  withStore,
} from "./contract-support.ts";
import type { Store, Watch } from "./store.ts";

/** The watch half of the store contract; registered by `runStoreContract`. */
export function watchContract(open: OpenStore): void {
  test("a live watch hears every write under its prefix synchronously, with prevKv", () =>
    withStore(open, async (store) => {
      const watch = recordWatch(store, { prefix: "/pods/", afterRevision: await store.currentRevision() });
      const created = await store.create("/pods/a", "1");
      assert.equal(watch.events.length, 1, "delivered before the write's promise settles");
      await store.create("/podsx/a", "outside");
      await store.create("/services/a", "outside");
      const updated = await store.update("/pods/a", "2", created.modRevision);
      const deleted = await store.delete("/pods/a");
      assert.deepEqual(watch.events, [
        { type: "put", kv: created },
        { type: "put", kv: updated, prevKv: created },
        { type: "delete", kv: deleted, prevKv: updated },
      ]);
      assert.equal(deleted.value, "2");
      watch.cancel();
    }));

  test("a watch from the past replays asynchronously, then goes live with no gap or duplicate", () =>
    withStore(open, async (store) => {
      const expected: number[] = [];
      const write = async (key: string, value: string): Promise<void> => {
        const existing = await store.get(key);
        const kv = existing
          ? await store.update(key, value, existing.modRevision)
          : await store.create(key, value);
        if (key.startsWith("/pods/")) expected.push(kv.modRevision);
      };
      for (let i = 0; i < 20; i++) await write(i % 3 === 0 ? `/nodes/n${i}` : `/pods/p${i % 7}`, `${i}`);
      const from = 10;
      expected.splice(
        0,
        expected.findIndex((revision) => revision > from),
      );
      const watch = recordWatch(store, { prefix: "/pods/", afterRevision: from });
      assert.equal(watch.calls, 0, "replay does not run inside watch()");
      const racing = [store.create("/pods/race1", "r"), store.create("/nodes/race", "r")];
      const [raced] = await Promise.all(racing);
      expected.push(raced.modRevision);
      await watch.untilEvents(expected.length);
      for (let i = 0; i < 5; i++) await write(`/pods/p${i}`, `live${i}`);
      await store.delete("/pods/race1");
      expected.push(await store.currentRevision());
      await watch.untilEvents(expected.length);
      await settle();
      assert.deepEqual(revisionsOf(watch.events), expected);
      assert.ok(watch.events.every((event) => event.kv.key.startsWith("/pods/")));
      const last = watch.events[watch.events.length - 1];
      assert.equal(last.type, "delete");
      assert.equal(last.prevKv?.key, "/pods/race1");
      watch.cancel();
    }));

  test("replayed history carries the same events, prevKv included, that live watchers saw", () =>
    withStore(open, async (store) => {
      const live = recordWatch(store, { prefix: "/k/", afterRevision: 0 });
      const a = await store.create("/k/a", "1");
      await store.create("/other", "1");
      const a2 = await store.update("/k/a", "2", a.modRevision);
      await store.delete("/k/a", a2.modRevision);
      const again = await store.create("/k/a", "3");
      await store.create("/k/b", "1");
      await store.update("/k/a", "4", again.modRevision);
      const compactAt = await store.currentRevision();
      await store.delete("/k/b");
      await store.create("/k/b", "2");
      assert.equal(live.events[3].prevKv, undefined, "a create after a delete has no prevKv");
      const replayed = recordWatch(store, { prefix: "/k/", afterRevision: 0 });
      await replayed.untilEvents(live.events.length);
      assert.deepEqual(replayed.events, live.events);
      await store.compact(compactAt);
      const afterCompaction = recordWatch(store, { prefix: "/k/", afterRevision: compactAt });
      await afterCompaction.untilEvents(2);
      assert.deepEqual(afterCompaction.events, live.events.slice(-2));
      for (const watch of [live, replayed, afterCompaction]) watch.cancel();
    }));

  test("writes made by listeners during delivery reach every watcher in revision order", () =>
    withStore(open, async (store) => {
      const base = await store.currentRevision();
      await store.create("/k/0", "history");
      const seen = new Map<string, number[]>();
      const watches: Watch[] = [];
      const watchWriting = (name: string, afterRevision: number, writeOn: number): void => {
        seen.set(name, []);
        const watch = store.watch(
          { prefix: "/k/", afterRevision },
          {
            onEvents(events) {
              for (const event of events) {
                seen.get(name)?.push(event.kv.modRevision);
                if (event.kv.modRevision === writeOn) void store.create(`/k/by-${name}`, "v");
              }
            },
            onError(error) {
              throw error;
            },
          },
        );
        watches.push(watch);
      };
      watchWriting("live", base + 1, base + 2);
      watchWriting("replaying", base, base + 1);
      watchWriting("quiet", base + 1, -1);
      await store.create("/k/1", "v");
      await settle();
      const all = Array.from({ length: (await store.currentRevision()) - base }, (_, i) => base + i + 1);
      assert.deepEqual(seen.get("replaying"), all);
      assert.deepEqual(seen.get("live"), all.slice(1));
      assert.deepEqual(seen.get("quiet"), all.slice(1));
      for (const watch of watches) watch.cancel();
    }));

  test("a long replay keeps revision order while writes continue", () =>
    withStore(open, async (store) => {
      const history = 1500;
      const base = await store.currentRevision();
      for (let i = 0; i < history; i++) await store.create(`/k/${i}`, "v");
      const watch = recordWatch(store, { prefix: "/k/", afterRevision: base });
      let more = 0;
      const writer = new Promise<void>((resolve, reject) => {
        const tick = (): void => {
          if (more === 50) resolve();
          else store.create(`/k/more${more++}`, "v").then(() => setImmediate(tick), reject);
        };
        tick();
      });
      await writer;
      await watch.untilEvents(history + more);
      await settle();
      assert.deepEqual(
        revisionsOf(watch.events),
        Array.from({ length: history + more }, (_, i) => base + i + 1),
      );
      watch.cancel();
    }));

  test("a watch from a compacted revision fails with Compacted, asynchronously", () =>
    withStore(open, async (store) => {
      const base = await store.currentRevision();
      for (let i = 0; i < 5; i++) await store.create(`/k/${i}`, "v");
      await store.compact(base + 3);
      const stale = recordWatch(store, { prefix: "/k/", afterRevision: base + 2 });
      assert.equal(stale.error, undefined, "the error arrives after watch() returns");
      const error = await stale.untilError();
      assert.equal(error.code, "Compacted");
      assert.deepEqual(stale.events, []);
      const fromPoint = recordWatch(store, { prefix: "/k/", afterRevision: base + 3 });
      await fromPoint.untilEvents(2);
      assert.deepEqual(revisionsOf(fromPoint.events), [base + 4, base + 5]);
      fromPoint.cancel();
    }));

  test("a watch from beyond the current revision delivers only later events", () =>
    withStore(open, async (store) => {
      const now = await store.currentRevision();
      const watch = recordWatch(store, { prefix: "", afterRevision: now + 2 });
      for (let i = 0; i < 3; i++) await store.create(`/k/${i}`, "v");
      await settle();
      assert.deepEqual(revisionsOf(watch.events), [now + 3]);
      watch.cancel();
    }));

  test("cancel stops delivery, before or after replay, and is idempotent", () =>
    withStore(open, async (store) => {
      const base = await store.currentRevision();
      await store.create("/k/a", "1");
      const live = recordWatch(store, { prefix: "/k/", afterRevision: base + 1 });
      const pending = recordWatch(store, { prefix: "/k/", afterRevision: base });
      pending.cancel();
      await store.create("/k/b", "1");
      live.cancel();
      live.cancel();
      await store.create("/k/c", "1");
      await settle();
      assert.deepEqual(revisionsOf(live.events), [base + 2]);
      assert.deepEqual(pending.events, []);
      assert.equal(pending.error, undefined);
    }));

  test("close ends watches with Closed, and a closed store fails every call with Closed", () =>
    withStore(open, async (store: Store) => {
      await store.create("/k/a", "1");
      const live = recordWatch(store, { prefix: "", afterRevision: 1 });
      await store.close();
      assert.equal(live.error?.code, "Closed");
      await expectStorageError(store.get("/k/a"), "Closed");
      await expectStorageError(store.create("/k/b", "1"), "Closed");
      await expectStorageError(store.range({ prefix: "" }), "Closed");
      const late = recordWatch(store, { prefix: "", afterRevision: 0 });
      assert.equal((await late.untilError()).code, "Closed");
      await store.close();
    }));
}
