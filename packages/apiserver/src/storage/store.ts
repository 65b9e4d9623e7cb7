/**
 * The storage contract every backend honours: etcd's model of a flat, ordered
 * keyspace with one global revision counter.
 *
 * - Every successful write (create, update, delete) increments the global
 *   revision by exactly one and stamps the written key with it (`modRevision`).
 * - Writes are conditional: create only if absent, update/delete only if the
 *   key's current `modRevision` matches (compare-and-swap).
 * - Reads can be served at a past revision until that revision is compacted.
 * - Watches deliver every change after a given revision, in revision order,
 *   with no gaps, or fail with `Compacted` when that history is gone.
 *
 * Revisions are numbers inside storage; the API layer turns them into opaque
 * `resourceVersion` strings.
 */
export type KeyValue = {
  key: string;
  /** The serialized object (JSON text). */
  value: string;
  /** Revision at which the key was (last) created. */
  createRevision: number;
  /** Revision of the last write to the key. */
  modRevision: number;
};

export type WatchEvent =
  | { type: "put"; kv: KeyValue; prevKv?: KeyValue }
  /** `kv.modRevision` is the revision of the delete; `kv.value` is the last value before deletion. */
  | { type: "delete"; kv: KeyValue; prevKv: KeyValue };

export type RangeOptions = {
  /** Keys that start with this prefix. */
  prefix: string;
  /** Only keys strictly greater than this one (for paging). */
  after?: string;
  /** At most this many keys; 0 or absent means no limit. */
  limit?: number;
  /** Read the keyspace as it was at this revision; absent means the current revision. */
  revision?: number;
};

export type RangeResult = {
  kvs: KeyValue[];
  /** The revision the read was served at. */
  revision: number;
  /** True when more keys match beyond `limit`. */
  more: boolean;
  /** How many matching keys remain after the last returned one (0 when `more` is false). */
  remaining: number;
};

export type WatchOptions = {
  prefix: string;
  /** Deliver every change with revision strictly greater than this. */
  afterRevision: number;
};

export interface Watch {
  /** Stops delivery; idempotent. */
  cancel(): void;
}

export type WatchListener = {
  /** Events in revision order; one call may carry several. */
  onEvents(events: WatchEvent[]): void;
  /** The watch ended with an error (e.g. `Compacted`); no more events follow. */
  onError(error: StorageError): void;
};

export const StorageErrorCode = {
  KeyExists: "KeyExists",
  KeyNotFound: "KeyNotFound",
  Conflict: "Conflict",
  Compacted: "Compacted",
  FutureRevision: "FutureRevision",
  Closed: "Closed",
} as const;
export type StorageErrorCode = (typeof StorageErrorCode)[keyof typeof StorageErrorCode];

/** An error from a store, with a stable `code` to branch on. */
export class StorageError extends Error {
  readonly code: StorageErrorCode;
  readonly key: string | undefined;
  /** For Conflict: the key's current state. For Compacted: undefined. */
  readonly current: KeyValue | undefined;
  constructor(
    code: StorageErrorCode,
    message: string,
    options: { key?: string; current?: KeyValue; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "StorageError";
    this.code = code;
    this.key = options.key;
    this.current = options.current;
  }
}

export interface Store {
  /** A short name for logs and benchmarks: "memory", "sqlite". */
  readonly kind: string;
  currentRevision(): Promise<number>;
  /** The oldest revision still readable (everything at or below it is compacted away, except live keys). */
  compactedRevision(): Promise<number>;
  get(key: string): Promise<KeyValue | undefined>;
  /** Fails with KeyExists if the key is present. */
  create(key: string, value: string): Promise<KeyValue>;
  /** Fails with KeyNotFound if absent, Conflict (carrying the current kv) if modRevision differs. */
  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue>;
  /**
   * Deletes the key; with `expectedModRevision`, only if it matches (Conflict otherwise).
   * Returns the deleted kv with `modRevision` set to the delete's revision.
   */
  delete(key: string, expectedModRevision?: number): Promise<KeyValue>;
  range(options: RangeOptions): Promise<RangeResult>;
  /**
   * Streams changes under `prefix` after `afterRevision`. Fails (via onError, asynchronously)
   * with Compacted if that revision is older than the compaction point.
   */
  watch(options: WatchOptions, listener: WatchListener): Watch;
  /** Drops history at or below `revision`; reads and watches from there fail with Compacted. */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}
