import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import {
  type EventRow,
  type KvRow,
  migrate,
  prepareStatements,
  type RangeRow,
  type Statements,
} from "./sqlite-schema.ts";
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

export type SqliteStoreOptions = {
  /**
   * "normal" (the default): WAL with synchronous=NORMAL; a crash of the process
   * loses nothing acknowledged, a power loss may lose the last writes.
   * "full": synchronous=FULL; every acknowledged write survives a power loss, at
   * the cost of one fsync per write.
   */
  durability?: "normal" | "full";
};

/**
 * A durable `Store` in one SQLite file (see sqlite-schema.ts for the layout).
 *
 * The store must be the file's only user: it holds an exclusive lock from open
 * to close (a second opener fails with "database is locked") and keeps the
 * revision counter in memory. Each write is a single-statement transaction.
 * Watches replay history with SQL (rows with mod_revision > R) and are then fed
 * synchronously from each committed write. Returned kvs and events are frozen,
 * as in `MemoryStore`.
 */
export class SqliteStore implements Store {
  readonly kind = "sqlite";
  readonly #db: DatabaseSync;
  readonly #sql: Statements;
  readonly #hub: WatchHub;
  #revision: number;
  #compacted: number;
  #closed = false;

  private constructor(db: DatabaseSync) {
    this.#db = db;
    this.#sql = prepareStatements(db);
    this.#compacted = Number(this.#sql.compactedRevision.get()?.value ?? 0);
    this.#revision = Math.max(Number(this.#sql.maxRevision.get()?.revision ?? 0), this.#compacted);
    this.#hub = new WatchHub({
      currentRevision: () => this.#revision,
      compactedRevision: () => this.#compacted,
      eventsAfter: (query) => this.#eventsAfter(query),
    });
  }

  /**
   * Opens (creating if needed) the store at `path`, continuing from the revision
   * it was closed at. Fails if another connection holds the file.
   */
  static async open(path: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
    let db: DatabaseSync | undefined;
    try {
      db = new DatabaseSync(path);
      const synchronous = options.durability === "full" ? "FULL" : "NORMAL";
      db.exec(
        `PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous};`,
      );
      migrate(db);
      return new SqliteStore(db);
    } catch (error) {
      if (db?.isOpen) db.close();
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`failed to open sqlite store at ${path}: ${reason}`, { cause: error });
    }
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
    this.#commit(kv, { type: "put", kv });
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
    this.#commit(kv, { type: "put", kv, prevKv: current });
    return kv;
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    this.#assertOpen();
    const current = this.#expect(key, expectedModRevision);
    const kv = Object.freeze({ ...current, modRevision: this.#revision + 1 });
    this.#commit(kv, { type: "delete", kv, prevKv: current });
    return kv;
  }

  async range(options: RangeOptions): Promise<RangeResult> {
    this.#assertOpen();
    const revision = readRevision(options.revision, this.#revision, this.#compacted);
    const { prefix, after } = options;
    const limit = options.limit !== undefined && options.limit > 0 ? options.limit : -1;
    const end = prefixEnd(prefix);
    const variant = end === undefined ? "unbounded" : "bounded";
    const start = after !== undefined && after >= prefix ? after : prefix;
    const skip = start === after ? after : null;
    const bounds: Record<string, SQLInputValue> = { start, skip, revision };
    if (end !== undefined) bounds.end = end;
    const rows = this.#sql.range[variant].all({ ...bounds, limit }) as unknown as RangeRow[];
    const kvs = rows.map(([key, value, createRevision, modRevision]) =>
      Object.freeze({ key, value, createRevision, modRevision }),
    );
    let remaining = 0;
    if (kvs.length === limit) {
      const last = kvs[kvs.length - 1].key;
      const counted = this.#sql.count[variant].get({ ...bounds, start: last, skip: last });
      remaining = Number(counted?.count ?? 0);
    }
    return { kvs, revision, more: remaining > 0, remaining };
  }

  watch(options: WatchOptions, listener: WatchListener): Watch {
    return this.#hub.watch(options, listener);
  }

  /**
   * Deletes, per key, every row at or below `revision` except the latest one
   * (that one too when it is a tombstone), and records the compaction revision,
   * in one transaction. Compacting at or below the current compaction point
   * does nothing; beyond the current revision fails FutureRevision.
   */
  async compact(revision: number): Promise<void> {
    this.#assertOpen();
    checkCompactRevision(revision, this.#revision);
    if (revision <= this.#compacted) return;
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      this.#sql.compact.run({ revision, previous: this.#compacted });
      this.#sql.setCompacted.run(revision);
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw new Error(`failed to compact sqlite store at revision ${revision}`, { cause: error });
    }
    this.#compacted = revision;
  }

  /** Ends every watch with `Closed` and closes the file; later calls fail with `Closed`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#hub.close();
    this.#db.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw storeErrors.closed();
  }

  #current(key: string): KeyValue | undefined {
    const row = this.#sql.latest.get(key) as KvRow | undefined;
    return row === undefined || row.deleted === 1 ? undefined : toKv(row);
  }

  #expect(key: string, expectedModRevision: number | undefined): KeyValue {
    const current = this.#current(key);
    if (current === undefined) throw storeErrors.keyNotFound(key);
    if (expectedModRevision !== undefined && current.modRevision !== expectedModRevision) {
      throw storeErrors.conflict(key, expectedModRevision, current);
    }
    return current;
  }

  /** Writes the row for `kv` (a tombstone for a delete event) and only then advances and publishes. */
  #commit(kv: KeyValue, event: WatchEvent): void {
    const deleted = event.type === "delete" ? 1 : 0;
    try {
      this.#sql.insert.run(kv.modRevision, kv.key, kv.createRevision, kv.value, deleted);
    } catch (error) {
      throw new Error(`failed to write "${kv.key}" at revision ${kv.modRevision}`, { cause: error });
    }
    this.#revision = kv.modRevision;
    this.#hub.publish(Object.freeze(event));
  }

  #eventsAfter(query: { prefix: string; afterRevision: number; limit: number }): WatchEvent[] {
    const { prefix, afterRevision, limit } = query;
    const rows = this.#sql.eventsAfter.all({ after: afterRevision, prefix, limit }) as EventRow[];
    return rows.map(toEvent);
  }
}

function toKv(row: KvRow): KeyValue {
  const { key, value, createRevision, modRevision } = row;
  return Object.freeze({ key, value, createRevision, modRevision });
}

function toEvent(row: EventRow): WatchEvent {
  const kv = toKv(row);
  const prevKv =
    row.prevValue === null || row.prevDeleted === 1
      ? undefined
      : Object.freeze({
          key: row.key,
          value: row.prevValue,
          createRevision: row.prevCreateRevision ?? 0,
          modRevision: row.prevModRevision ?? 0,
        });
  if (row.deleted === 0) return Object.freeze(prevKv ? { type: "put", kv, prevKv } : { type: "put", kv });
  if (prevKv === undefined)
    throw new Error(`sqlite store: delete of "${row.key}" at ${row.modRevision} has no prior row`);
  return Object.freeze({ type: "delete", kv, prevKv });
}

/**
 * The smallest string above every string that starts with `prefix`, in code-point
 * order (which is SQLite's byte order for UTF-8); undefined when there is none.
 */
export function prefixEnd(prefix: string): string | undefined {
  const codePoints = Array.from(prefix, (char) => char.codePointAt(0)!);
  while (codePoints.length > 0) {
    const next = codePoints.pop()! + 1;
    if (next > 0x10ffff) continue;
    codePoints.push(next === 0xd800 ? 0xe000 : next);
    return String.fromCodePoint(...codePoints);
  }
  return undefined;
}
