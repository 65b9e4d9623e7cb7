import { EventLog } from "./event-log.ts";
import { SortedKeys } from "./sorted-keys.ts";
import type {
  KeyValue,
  RangeOptions,
  RangeResult,
  Store,
  Watch,
  WatchEvent,
  WatchListener,
  WatchOptions,
} from "./store.ts";
import { checkCompactRevision, readRevision, storeErrors } from "./store-errors.ts";
import { WatchHub } from "./watch-hub.ts";

/** One write to a key: its kv as written, and whether that write deleted it. */
type Version = { readonly kv: KeyValue; readonly tombstone: boolean };

/**
 * A `Store` held entirely in process memory, for tests, simulations and
 * single-process development. Nothing survives `close` or a restart.
 *
 * Each key keeps its versions since the compaction point, so reads at any
 * uncompacted revision see the keyspace as it was; a sorted key index serves
 * ordered prefix ranges; an event log since the compaction point serves
 * watches that start in the past. Returned kvs and events are frozen, because
 * they are shared with the store's history and with other watchers.
 */
export class MemoryStore implements Store {
  readonly kind = "memory";
  readonly #versions = new Map<string, Version[]>();
  readonly #keys = new SortedKeys();
  readonly #log = new EventLog();
  readonly #hub: WatchHub;
  #revision = 0;
  #compacted = 0;
  #closed = false;

  constructor() {
    this.#hub = new WatchHub({
      currentRevision: () => this.#revision,
      compactedRevision: () => this.#compacted,
      eventsAfter: (query) => this.#log.eventsAfter(query),
    });
  }

  async currentRevision(): Promise<number> {
    this.#assertOpen();
    return this.#revision;
  }

  async compactedRevision(): Promise<number> {
    this.#assertOpen();
    return this.#compacted;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.#assertOpen();
    return this.#current(key);
  }

  async create(key: string, value: string): Promise<KeyValue> {
    this.#assertOpen();
    const current = this.#current(key);
    if (current !== undefined) throw storeErrors.keyExists(key, current);
    const revision = this.#revision + 1;
    const kv = Object.freeze({ key, value, createRevision: revision, modRevision: revision });
    this.#commit({ kv, tombstone: false }, { type: "put", kv });
    return kv;
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    this.#assertOpen();
    const current = this.#expect(key, expectedModRevision);
    const kv = Object.freeze({
      key,
      value,
      createRevision: current.createRevision,
      modRevision: this.#revision + 1,
    });
    this.#commit({ kv, tombstone: false }, { type: "put", kv, prevKv: current });
    return kv;
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    this.#assertOpen();
    const current = this.#expect(key, expectedModRevision);
    const kv = Object.freeze({ ...current, modRevision: this.#revision + 1 });
    this.#commit({ kv, tombstone: true }, { type: "delete", kv, prevKv: current });
    return kv;
  }

  async range(options: RangeOptions): Promise<RangeResult> {
    this.#assertOpen();
    const revision = readRevision(options.revision, this.#revision, this.#compacted);
    const { prefix, after } = options;
    const limit = options.limit !== undefined && options.limit > 0 ? options.limit : Number.POSITIVE_INFINITY;
    const start = after !== undefined && after >= prefix ? after : prefix;
    const kvs: KeyValue[] = [];
    let remaining = 0;
    for (const key of this.#keys.from(start, { exclusive: start === after })) {
      if (!key.startsWith(prefix)) break;
      const version = versionAt(this.#versions.get(key)!, revision);
      if (version === undefined || version.tombstone) continue;
      if (kvs.length < limit) kvs.push(version.kv);
      else remaining += 1;
    }
    return { kvs, revision, more: remaining > 0, remaining };
  }

  watch(options: WatchOptions, listener: WatchListener): Watch {
    return this.#hub.watch(options, listener);
  }

  /**
   * Keeps, per key, its latest version at or below `revision` (dropped too when
   * that is a delete) and everything after. Compacting at or below the current
   * compaction point does nothing; beyond the current revision fails FutureRevision.
   */
  async compact(revision: number): Promise<void> {
    this.#assertOpen();
    checkCompactRevision(revision, this.#revision);
    if (revision <= this.#compacted) return;
    // Keys not written since the last compaction already hold a single version at or below it.
    const touched = new Set(this.#log.takeThrough(revision).map((event) => event.kv.key));
    for (const key of touched) this.#compactKey(key, revision);
    this.#compacted = revision;
  }

  /** Ends every watch with `Closed` and releases the data; later calls fail with `Closed`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#hub.close();
    this.#versions.clear();
    this.#keys.clear();
  }

  #assertOpen(): void {
    if (this.#closed) throw storeErrors.closed();
  }

  /** The key's live kv, if it exists now. */
  #current(key: string): KeyValue | undefined {
    const versions = this.#versions.get(key);
    const latest = versions?.[versions.length - 1];
    return latest === undefined || latest.tombstone ? undefined : latest.kv;
  }

  /** The key's live kv, or KeyNotFound / Conflict when it is absent or at another revision. */
  #expect(key: string, expectedModRevision: number | undefined): KeyValue {
    const current = this.#current(key);
    if (current === undefined) throw storeErrors.keyNotFound(key);
    if (expectedModRevision !== undefined && current.modRevision !== expectedModRevision) {
      throw storeErrors.conflict(key, expectedModRevision, current);
    }
    return current;
  }

  #commit(version: Version, event: WatchEvent): void {
    const { key, modRevision } = version.kv;
    this.#revision = modRevision;
    const versions = this.#versions.get(key);
    if (versions === undefined) {
      this.#versions.set(key, [version]);
      this.#keys.insert(key);
    } else {
      versions.push(version);
    }
    Object.freeze(event);
    this.#log.append(event);
    this.#hub.publish(event);
  }

  #compactKey(key: string, revision: number): void {
    const versions = this.#versions.get(key)!;
    const i = indexAt(versions, revision);
    const keepFrom = versions[i].tombstone ? i + 1 : i;
    if (keepFrom === versions.length) {
      this.#versions.delete(key);
      this.#keys.remove(key);
    } else if (keepFrom > 0) {
      this.#versions.set(key, versions.slice(keepFrom));
    }
  }
}

/** The version in effect at `revision`: the newest one written at or before it. */
function versionAt(versions: Version[], revision: number): Version | undefined {
  const last = versions[versions.length - 1];
  if (last.kv.modRevision <= revision) return last;
  return versions[indexAt(versions, revision)];
}

/** Index of the newest version with modRevision <= `revision` (-1 when none). */
function indexAt(versions: Version[], revision: number): number {
  let lo = 0;
  let hi = versions.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (versions[mid].kv.modRevision <= revision) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
