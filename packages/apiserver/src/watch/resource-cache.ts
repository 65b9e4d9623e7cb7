import type { CachedObject, CacheEvent, CacheEventType } from "./cacher.ts";

/** Where a watch sends what it sees. */
export interface WatchSink {
  event(type: CacheEventType, object: CachedObject): void;
  /** The requested history is gone (410 Expired). */
  expired(requested: number, oldest: number): void;
}

export type CacheWatchOptions = {
  /** Only keys under this prefix (a namespace, or one object). */
  keyPrefix: string;
  /** Objects the watcher wants (label and field selectors). */
  filter: (object: CachedObject) => boolean;
  /**
   * `{ from: rv }` replays events after rv; `{ initial: true }` first sends ADDED for every
   * current object, then live events.
   */
  start: { from: number } | { initial: true };
};

export type CacheWatcher = { stop(): void };

type Watcher = { options: CacheWatchOptions; sink: WatchSink };

/**
 * One resource's objects and its recent events. Lists read `objects`; watches
 * replay `events` from a revision, or fail with Expired when it is older than
 * the window.
 */
export class ResourceCache {
  readonly prefix: string;
  #objects = new Map<string, CachedObject>();
  #events: CacheEvent[] = [];
  #capacity: number;
  /** Events with revision > this are in the window. */
  #startRevision: number;
  #watchers = new Set<Watcher>();

  constructor(options: { prefix: string; capacity: number; startRevision: number }) {
    this.prefix = options.prefix;
    this.#capacity = options.capacity;
    this.#startRevision = options.startRevision;
  }

  load(object: CachedObject): void {
    this.#objects.set(object.key, object);
  }

  resetHistory(revision: number): void {
    this.#events = [];
    this.#startRevision = revision;
  }

  get(key: string): CachedObject | undefined {
    return this.#objects.get(key);
  }

  /** Current objects under `keyPrefix`, sorted by key (as storage orders them). */
  list(keyPrefix: string): CachedObject[] {
    const out: CachedObject[] = [];
    if (keyPrefix === this.prefix) for (const object of this.#objects.values()) out.push(object);
    else for (const object of this.#objects.values()) if (object.key.startsWith(keyPrefix)) out.push(object);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  get size(): number {
    return this.#objects.size;
  }

  apply(event: CacheEvent): void {
    if (event.type === "DELETED") this.#objects.delete(event.current.key);
    else this.#objects.set(event.current.key, event.current);
    this.#events.push(event);
    // Trim in batches so each append stays O(1) amortized.
    if (this.#events.length > this.#capacity + (this.#capacity >> 2)) {
      const dropped = this.#events.splice(0, this.#events.length - this.#capacity);
      this.#startRevision = dropped[dropped.length - 1].revision;
    }
    for (const watcher of this.#watchers) deliver(watcher, event);
  }

  watch(options: CacheWatchOptions, sink: WatchSink): CacheWatcher {
    const watcher: Watcher = { options, sink };
    if ("from" in options.start) {
      const from = options.start.from;
      if (from < this.#startRevision) {
        sink.expired(from, this.#startRevision + 1);
        return { stop: () => {} };
      }
      for (const event of this.#events) if (event.revision > from) deliver(watcher, event);
    } else {
      for (const object of this.list(options.keyPrefix)) {
        if (options.filter(object)) sink.event("ADDED", object);
      }
    }
    this.#watchers.add(watcher);
    return { stop: () => this.#watchers.delete(watcher) };
  }

  get watcherCount(): number {
    return this.#watchers.size;
  }

  closeWatchers(): void {
    this.#watchers.clear();
  }
}

function deliver(watcher: Watcher, event: CacheEvent): void {
  const { keyPrefix, filter } = watcher.options;
  if (!event.current.key.startsWith(keyPrefix)) return;
  const before = event.previous !== undefined && event.type !== "ADDED" && filter(event.previous);
  if (event.type === "DELETED") {
    if (before) watcher.sink.event("DELETED", event.current);
    return;
  }
  const after = filter(event.current);
  if (after) watcher.sink.event(before ? "MODIFIED" : "ADDED", event.current);
  else if (before) watcher.sink.event("DELETED", event.current);
}
