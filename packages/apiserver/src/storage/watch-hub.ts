import { StorageError, type Watch, type WatchEvent, type WatchListener, type WatchOptions } from "./store.ts";
import { storeErrors } from "./store-errors.ts";

/** What a store exposes to its `WatchHub` so watches can catch up on history. */
export interface WatchHistory {
  currentRevision(): number;
  compactedRevision(): number;
  /**
   * Events under `prefix` with revision > `afterRevision`, oldest first, at most `limit`
   * of them. Fewer than `limit` means the result reaches the current revision.
   * Only called with `afterRevision` >= the compacted revision.
   */
  eventsAfter(query: { prefix: string; afterRevision: number; limit: number }): WatchEvent[];
}

type Watcher = {
  readonly prefix: string;
  readonly listener: WatchListener;
  /** Everything at or below this revision has been delivered (or was never wanted). */
  cursor: number;
  ended: boolean;
};

/** Events handed to a listener per call while replaying history. */
const replayBatch = 512;

/**
 * The watch half of a store: live watchers are notified synchronously from
 * `publish`, which the store calls right after each committed write; a watch
 * that starts behind the current revision first replays history in batches on
 * later ticks, then joins the live set in the same tick that it reads the last
 * batch, so no event is missed or repeated.
 */
export class WatchHub {
  readonly #history: WatchHistory;
  readonly #live = new Set<Watcher>();
  readonly #replaying = new Set<Watcher>();
  #closed = false;
  #pending: WatchEvent[] = [];
  #publishing = false;

  constructor(history: WatchHistory) {
    this.#history = history;
  }

  /** See `Store.watch`. After `close`, the watch fails with `Closed` (asynchronously). */
  watch(options: WatchOptions, listener: WatchListener): Watch {
    const watcher: Watcher = {
      prefix: options.prefix,
      listener,
      cursor: options.afterRevision,
      ended: false,
    };
    if (this.#closed) {
      queueMicrotask(() => this.#fail(watcher, storeErrors.closed()));
    } else if (watcher.cursor >= this.#history.currentRevision()) {
      this.#live.add(watcher);
    } else {
      this.#replaying.add(watcher);
      queueMicrotask(() => this.#replay(watcher));
    }
    return { cancel: () => this.#end(watcher) };
  }

  /**
   * Delivers a just-committed event to every live watcher whose prefix matches.
   * A write made by a listener during delivery is queued behind the current
   * event, so every watcher still sees revisions in order.
   */
  publish(event: WatchEvent): void {
    this.#pending.push(event);
    if (this.#publishing) return;
    this.#publishing = true;
    try {
      for (let i = 0; i < this.#pending.length; i++) this.#fanOut(this.#pending[i]);
    } finally {
      this.#pending = [];
      this.#publishing = false;
    }
  }

  /** Ends every watch with `Closed`; later watches fail the same way. */
  close(): void {
    this.#closed = true;
    const error = storeErrors.closed();
    for (const watcher of [...this.#replaying, ...this.#live]) this.#fail(watcher, error);
  }

  #fanOut(event: WatchEvent): void {
    const { key, modRevision } = event.kv;
    for (const watcher of this.#live) {
      if (modRevision <= watcher.cursor || !key.startsWith(watcher.prefix)) continue;
      watcher.cursor = modRevision;
      deliver(watcher, [event]);
    }
  }

  #replay(watcher: Watcher): void {
    if (watcher.ended) return;
    const compacted = this.#history.compactedRevision();
    if (watcher.cursor < compacted) {
      const { cursor, prefix } = watcher;
      const message = `cannot watch "${prefix}" after revision ${cursor}: history through ${compacted} is compacted`;
      this.#fail(watcher, new StorageError("Compacted", message));
      return;
    }
    const current = this.#history.currentRevision();
    const events = this.#history.eventsAfter({
      prefix: watcher.prefix,
      afterRevision: watcher.cursor,
      limit: replayBatch,
    });
    const caughtUp = events.length < replayBatch;
    watcher.cursor = caughtUp ? current : events[events.length - 1].kv.modRevision;
    if (events.length > 0) deliver(watcher, events);
    if (watcher.ended) return;
    // A listener that wrote during delivery moved the revision on: replay that too before going live.
    if (caughtUp && this.#history.currentRevision() === current) {
      this.#replaying.delete(watcher);
      this.#live.add(watcher);
    } else {
      setImmediate(() => this.#replay(watcher));
    }
  }

  #fail(watcher: Watcher, error: StorageError): void {
    if (watcher.ended) return;
    this.#end(watcher);
    guarded(() => watcher.listener.onError(error));
  }

  #end(watcher: Watcher): void {
    watcher.ended = true;
    this.#live.delete(watcher);
    this.#replaying.delete(watcher);
  }
}

function deliver(watcher: Watcher, events: WatchEvent[]): void {
  if (!watcher.ended) guarded(() => watcher.listener.onEvents(events));
}

/**
 * A listener that throws must not fail the write or close that triggered it nor
 * starve other watchers, so its error resurfaces on a later tick as an uncaught exception.
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
