import assert from "node:assert/strict";
import {
  StorageError,
  type StorageErrorCode,
  type Store,
  type WatchEvent,
  type WatchOptions,
} from "./store.ts";

/** A fresh, empty store for one test; `reopen` (durable stores only) closes nothing, it opens the same data again. */
export type OpenedStore = {
  store: Store;
  reopen?: () => Promise<Store>;
  cleanup: () => Promise<void>;
};

export type OpenStore = () => Promise<OpenedStore>;

/** Runs `body` against a fresh store, then closes it and cleans up whatever happens. */
export async function withStore(
  open: OpenStore,
  body: (store: Store, opened: OpenedStore) => Promise<void>,
): Promise<void> {
  const opened = await open();
  try {
    await body(opened.store, opened);
  } finally {
    await opened.store.close();
    await opened.cleanup();
  }
}

/** Awaits `promise`, which must reject with a StorageError of `code`, and returns that error. */
export async function expectStorageError(
  promise: Promise<unknown>,
  code: StorageErrorCode,
): Promise<StorageError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof StorageError, `expected a StorageError ${code}, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected a StorageError ${code}, but the call succeeded`);
}

/** Waits `ms` (default 20) so that anything a store would still deliver has arrived. */
export function settle(ms = 20): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A watch whose deliveries are recorded, for asserting on what a listener saw. */
export type RecordedWatch = {
  readonly events: WatchEvent[];
  /** How many onEvents calls there were. */
  readonly calls: number;
  readonly error: StorageError | undefined;
  cancel(): void;
  /** Resolves once at least `count` events arrived; rejects on a watch error or after `timeoutMs`. */
  untilEvents(count: number, timeoutMs?: number): Promise<void>;
  /** Resolves once the watch failed; rejects after `timeoutMs`. */
  untilError(timeoutMs?: number): Promise<StorageError>;
};

export function recordWatch(store: Store, options: WatchOptions): RecordedWatch {
  const events: WatchEvent[] = [];
  let calls = 0;
  let error: StorageError | undefined;
  let wake = (): void => {};
  const watch = store.watch(options, {
    onEvents(batch) {
      assert.ok(error === undefined, "events after an error");
      calls += 1;
      events.push(...batch);
      wake();
    },
    onError(failure) {
      assert.ok(error === undefined, "a second error");
      error = failure;
      wake();
    },
  });
  const until = <T>(done: () => T | undefined, timeoutMs: number, what: () => string): Promise<T> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what()}`)), timeoutMs);
      wake = () => {
        try {
          const result = done();
          if (result === undefined) return;
          clearTimeout(timer);
          resolve(result);
        } catch (failure) {
          clearTimeout(timer);
          reject(failure);
        }
      };
      wake();
    });
  return {
    events,
    get calls() {
      return calls;
    },
    get error() {
      return error;
    },
    cancel: () => watch.cancel(),
    untilEvents: (count, timeoutMs = 2000) =>
      until(
        () => {
          if (error !== undefined) throw error;
          return events.length >= count ? true : undefined;
        },
        timeoutMs,
        () => `${count} events (got ${events.length})`,
      ).then(() => undefined),
    untilError: (timeoutMs = 2000) =>
      until(
        () => error,
        timeoutMs,
        () => "a watch error",
      ),
  };
}

/** The revisions of `events`, for comparing sequences. */
export function revisionsOf(events: WatchEvent[]): number[] {
  return events.map((event) => event.kv.modRevision);
}
