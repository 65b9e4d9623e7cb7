import type { EtcdClient, EtcdStream, EtcdWatchResponse } from "./etcd-store-client.ts";
import { type EtcdCodec, revisionOf } from "./etcd-store-codec.ts";
import { StorageError, type Watch, type WatchEvent, type WatchListener, type WatchOptions } from "./store.ts";

export type EtcdStoreWatchDeps = {
  client: EtcdClient;
  codec: EtcdCodec;
  /** Told the compaction point etcd reported when it refused a watch. */
  onCompacted: (revision: number) => void;
  /** Called once the watch has ended, whatever ended it. */
  onEnded: (watch: EtcdStoreWatch) => void;
};

/** Reconnect delays after a lost stream: doubling from the first to the last. */
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 3000;

/**
 * One `Store.watch` as one etcd watch (`start_revision` = afterRevision + 1,
 * with prev_kv), which etcd itself replays from history and then keeps live.
 * A lost stream reconnects from the last delivered revision, so listeners see
 * no gap; a refusal for compaction ends the watch with `Compacted`.
 */
export class EtcdStoreWatch implements Watch {
  readonly prefix: string;
  readonly #deps: EtcdStoreWatchDeps;
  readonly #listener: WatchListener;
  #cursor: number;
  #state: "connecting" | "open" | "retrying" | "ended" = "connecting";
  #stream: EtcdStream | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #retries = 0;
  #waiters: Array<{ revision: number; resolve: () => void }> = [];

  constructor(deps: EtcdStoreWatchDeps, options: WatchOptions, listener: WatchListener) {
    this.#deps = deps;
    this.prefix = options.prefix;
    this.#cursor = options.afterRevision;
    this.#listener = listener;
  }

  /** Opens the etcd stream; events arrive on later ticks. */
  start(): void {
    if (this.#state === "ended") return;
    this.#state = "connecting";
    const range = this.#deps.codec.range(this.prefix);
    const request = { ...range, start_revision: String(this.#cursor + 1), prev_kv: true };
    this.#stream = this.#deps.client.watch(
      { create_request: request },
      {
        onMessage: (message) => this.#onMessage(message),
        onEnd: () => this.#retry(),
      },
    );
  }

  /** Whether a write of `key` at `revision` is yet to reach this watch while its stream is up. */
  awaits(key: string, revision: number): boolean {
    return (
      (this.#state === "open" || this.#state === "connecting") &&
      this.#cursor < revision &&
      key.startsWith(this.prefix)
    );
  }

  /** Resolves once `revision` was delivered or the watch ended, or after `timeoutMs` regardless. */
  delivered(revision: number, timeoutMs: number): Promise<void> {
    if (this.#cursor >= revision || this.#state === "ended") return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(), timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters = this.#waiters.filter((waiter) => waiter !== entry);
        resolve();
      };
      const entry = { revision, resolve: done };
      this.#waiters.push(entry);
    });
  }

  cancel(): void {
    if (this.#state === "ended") return;
    this.#state = "ended";
    clearTimeout(this.#retryTimer);
    this.#stream?.close();
    for (const waiter of this.#waiters) waiter.resolve();
    this.#deps.onEnded(this);
  }

  /** Ends the watch and tells the listener why. */
  fail(error: StorageError): void {
    if (this.#state === "ended") return;
    this.cancel();
    guarded(() => this.#listener.onError(error));
  }

  #onMessage(message: EtcdWatchResponse): void {
    if (this.#state === "ended") return;
    if (message.canceled) {
      const compacted = revisionOf(message.compact_revision);
      if (compacted > 0) {
        this.#deps.onCompacted(compacted);
        this.#failCompacted(compacted);
      } else {
        // Not for compaction (etcd restarting, a lost lease on the stream): watch again.
        this.#stream?.close();
        this.#retry();
      }
      return;
    }
    if (message.created) {
      this.#state = "open";
      this.#retries = 0;
    }
    if (!message.events || message.events.length === 0) return;
    const events: WatchEvent[] = [];
    for (const raw of message.events) {
      const kv = this.#deps.codec.kv(raw.kv);
      if (kv.modRevision <= this.#cursor) continue;
      const prevKv = raw.prev_kv ? this.#deps.codec.kv(raw.prev_kv) : undefined;
      if (raw.type !== "DELETE") {
        events.push(Object.freeze(prevKv ? { type: "put", kv, prevKv } : { type: "put", kv }));
      } else if (prevKv) {
        events.push(
          Object.freeze({
            type: "delete",
            kv: Object.freeze({ ...prevKv, modRevision: kv.modRevision }),
            prevKv,
          }),
        );
      } else {
        // etcd sends no prev_kv when the key's previous version was compacted away meanwhile.
        this.#failCompacted(kv.modRevision - 1);
        return;
      }
    }
    if (events.length === 0) return;
    this.#cursor = events[events.length - 1].kv.modRevision;
    guarded(() => this.#listener.onEvents(events));
    const cursor = this.#cursor;
    for (const waiter of this.#waiters.filter((entry) => entry.revision <= cursor)) waiter.resolve();
  }

  #failCompacted(compacted: number): void {
    const message = `cannot watch "${this.prefix}" after revision ${this.#cursor}: history through ${compacted} is compacted`;
    this.fail(new StorageError("Compacted", message));
  }

  /** The stream was lost: reconnect from the cursor after a growing delay (etcd may be restarting). */
  #retry(): void {
    if (this.#state === "ended") return;
    this.#state = "retrying";
    this.#stream = undefined;
    const delay = Math.min(RETRY_FIRST_MS * 2 ** this.#retries, RETRY_MAX_MS);
    this.#retries += 1;
    for (const waiter of this.#waiters) waiter.resolve();
    this.#retryTimer = setTimeout(() => this.start(), delay);
    this.#retryTimer.unref();
  }
}

/**
 * A listener that throws must not break the stream or other watches, so its
 * error resurfaces on a later tick as an uncaught exception (as in WatchHub).
 */
function guarded(call: () => void): void {
  try {
    call();
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
