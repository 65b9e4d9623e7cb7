import type { DatabaseSync, StatementSync } from "node:sqlite";

/**
 * The on-disk layout of `SqliteStore`, modelled on etcd: one row per write to a
 * key, numbered by the global revision.
 *
 * - `kv.mod_revision` is the rowid, so writes append and watch replay reads a
 *   rowid range. A delete writes a tombstone row (`deleted = 1`) carrying the
 *   key's last value, which is exactly the delete event's kv.
 * - `kv_key_revision` (key, mod_revision, deleted) answers "latest row per key
 *   at revision R" from the index alone, in key order, so ranges and their
 *   counts touch the table only for the rows they return.
 * - `meta.compacted` is the compaction revision. The current revision is not
 *   stored: it is max(MAX(mod_revision), compacted), because compaction only
 *   deletes rows at or below the compaction revision.
 * - Tables are STRICT, so the column types the statements rely on are enforced.
 */
const schemaVersion = 1;

const schema = `
CREATE TABLE kv (
  mod_revision INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  create_revision INTEGER NOT NULL,
  value TEXT NOT NULL,
  deleted INTEGER NOT NULL CHECK (deleted IN (0, 1))
) STRICT;
CREATE INDEX kv_key_revision ON kv (key, mod_revision, deleted);
CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT, WITHOUT ROWID;
PRAGMA user_version = ${schemaVersion};
`;

/** Creates the schema in an empty database; refuses a database written by a newer schema. */
export function migrate(db: DatabaseSync): void {
  const version = Number(db.prepare("PRAGMA user_version").get()?.user_version ?? 0);
  if (version > schemaVersion) {
    throw new Error(`database schema version ${version} is newer than the supported ${schemaVersion}`);
  }
  if (version === 0) db.exec(`BEGIN IMMEDIATE; ${schema} COMMIT;`);
}

/** Row shape of `latest` (a kv plus its tombstone flag). */
export type KvRow = {
  key: string;
  value: string;
  createRevision: number;
  modRevision: number;
  deleted: 0 | 1;
};

/** Row shape of `eventsAfter`: an event's row and, when there is one, the key's row before it. */
export type EventRow = KvRow & {
  prevValue: string | null;
  prevCreateRevision: number | null;
  prevModRevision: number | null;
  prevDeleted: 0 | 1 | null;
};

const kvColumns = "key, value, create_revision AS createRevision, mod_revision AS modRevision, deleted";

/**
 * Rows that are the latest of their key at `:revision` and not tombstones, in key
 * order. Walks kv_key_revision in order and reads the table only for returned rows.
 */
function rangeSql(bounded: boolean, what: "rows" | "count"): string {
  const output = what === "rows" ? "k.key, k.value, k.create_revision, k.mod_revision" : "COUNT(*) AS count";
  return `SELECT ${output} FROM kv AS k
    WHERE k.key >= :start AND k.key IS NOT :skip ${bounded ? "AND k.key < :end" : ""} AND k.deleted = 0
      AND k.mod_revision = (SELECT MAX(i.mod_revision) FROM kv AS i WHERE i.key = k.key AND i.mod_revision <= :revision)
    ${what === "rows" ? "ORDER BY k.key LIMIT :limit" : ""}`;
}

/** Row shape of the range statements, which return arrays: key, value, createRevision, modRevision. */
export type RangeRow = [string, string, number, number];

/** Every statement the store runs, prepared once per connection. */
export function prepareStatements(db: DatabaseSync) {
  return {
    latest: db.prepare(`SELECT ${kvColumns} FROM kv WHERE key = ? ORDER BY mod_revision DESC LIMIT 1`),
    insert: db.prepare(
      "INSERT INTO kv (mod_revision, key, create_revision, value, deleted) VALUES (?, ?, ?, ?, ?)",
    ),
    maxRevision: db.prepare("SELECT COALESCE(MAX(mod_revision), 0) AS revision FROM kv"),
    compactedRevision: db.prepare("SELECT value FROM meta WHERE name = 'compacted'"),
    range: {
      bounded: arrays(db.prepare(rangeSql(true, "rows"))),
      unbounded: arrays(db.prepare(rangeSql(false, "rows"))),
    },
    count: { bounded: db.prepare(rangeSql(true, "count")), unbounded: db.prepare(rangeSql(false, "count")) },
    eventsAfter: db.prepare(`
      SELECT e.key, e.value, e.create_revision AS createRevision, e.mod_revision AS modRevision, e.deleted,
        p.value AS prevValue, p.create_revision AS prevCreateRevision, p.mod_revision AS prevModRevision,
        p.deleted AS prevDeleted
      FROM kv AS e
      LEFT JOIN kv AS p ON p.mod_revision = (
        SELECT MAX(i.mod_revision) FROM kv AS i WHERE i.key = e.key AND i.mod_revision < e.mod_revision)
      WHERE e.mod_revision > :after AND substr(e.key, 1, length(:prefix)) = :prefix
      ORDER BY e.mod_revision LIMIT :limit`),
    // Only keys written since the previous compaction can hold superseded rows.
    compact: db.prepare(`
      DELETE FROM kv WHERE mod_revision <= :revision
        AND key IN (SELECT key FROM kv WHERE mod_revision > :previous AND mod_revision <= :revision)
        AND (deleted = 1 OR mod_revision < (
          SELECT MAX(i.mod_revision) FROM kv AS i WHERE i.key = kv.key AND i.mod_revision <= :revision))`),
    setCompacted: db.prepare(
      "INSERT INTO meta (name, value) VALUES ('compacted', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    ),
  } satisfies Record<string, StatementSync | Record<string, StatementSync>>;
}

export type Statements = ReturnType<typeof prepareStatements>;

/** Rows as arrays skip building an object per row: a third off a 10,000-key range. */
function arrays(statement: StatementSync): StatementSync {
  statement.setReturnArrays(true);
  return statement;
}
