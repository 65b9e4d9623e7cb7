import type { WatchEvent } from "./store.ts";

/**
 * Every event after a base revision, one per revision with no holes (a store
 * writes exactly one event per revision), so the event for revision `r` sits
 * at index `r - base - 1`.
 */
export class EventLog {
  #base: number;
  #events: WatchEvent[] = [];

  /** `base`: the revision just before the first event that will be appended. */
  constructor(base = 0) {
    this.#base = base;
  }

  /** The revision of the newest event, or the base when the log is empty. */
  get lastRevision(): number {
    return this.#base + this.#events.length;
  }

  /** Appends the event for revision `lastRevision + 1`. */
  append(event: WatchEvent): void {
    if (event.kv.modRevision !== this.lastRevision + 1) {
      throw new Error(`event log: expected revision ${this.lastRevision + 1}, got ${event.kv.modRevision}`);
    }
    this.#events.push(event);
  }

  /** Events under `prefix` with revision > `afterRevision` (>= the base), oldest first, at most `limit`. */
  eventsAfter(query: { prefix: string; afterRevision: number; limit: number }): WatchEvent[] {
    const { prefix, limit } = query;
    const events = this.#events;
    const matched: WatchEvent[] = [];
    for (let i = Math.max(0, query.afterRevision - this.#base); i < events.length; i++) {
      const event = events[i];
      if (!event.kv.key.startsWith(prefix)) continue;
      matched.push(event);
      if (matched.length === limit) break;
    }
    return matched;
  }

  /** Removes and returns the events at or below `revision` (at most `lastRevision`). */
  takeThrough(revision: number): WatchEvent[] {
    const count = Math.min(Math.max(0, revision - this.#base), this.#events.length);
    this.#base += count;
    return this.#events.splice(0, count);
  }
}
