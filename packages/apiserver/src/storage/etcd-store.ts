import { EtcdClient, EtcdError, type EtcdHeader, type EtcdKv } from "./etcd-store-client.ts";
import { EtcdCodec, revisionOf } from "./etcd-store-codec.ts";
import { type EtcdStoreSpec, parseEtcdSpec } from "./etcd-store-spec.ts";
import { EtcdStoreWatch } from "./etcd-store-watch.ts";
import {
  type KeyValue,
  type RangeOptions,
  type RangeResult,
  StorageError,
  type Store,
  type Watch,
  type WatchListener,
  type WatchOptions,
} from "./store.ts";
import { storeErrors } from "./store-errors.ts";

export type EtcdStoreOptions = {
  /** How long one call to etcd may take, in ms (default 10 000). */
  requestTimeoutMs?: number;
  /** How long a write waits for this store's watches to hear it before resolving anyway, in ms (default 2000). */
  deliveryWaitMs?: number;
};

type TxnResponse = {
  header: EtcdHeader;
  succeeded?: boolean;
  responses?: Array<{
    response_put?: { prev_kv?: EtcdKv };
    response_delete_range?: { prev_kvs?: EtcdKv[] };
    response_range?: { kvs?: EtcdKv[] };
  }>;
};

type RangeResponse = { header: EtcdHeader; kvs?: EtcdKv[]; more?: boolean; count?: string };

/**
 * A `Store` in etcd (v3 API, through its JSON gateway): every key lives under
 * the spec's prefix, a revision is etcd's revision (so a resourceVersion is the
 * key's etcd mod_revision), guarded writes are txns comparing create/mod
 * revisions, reads at a revision and compaction are etcd's own, and each watch
 * is an etcd watch from a revision.
 *
 * The store's promise that watchers hear a write before its promise settles
 * holds for this store's own watches: a write resolves once each of them that
 * wants the key has delivered it (or after `deliveryWaitMs`). etcd's revision
 * is global, so writes by other etcd users advance it too.
 */
export class EtcdStore implements Store {
  readonly kind = "etcd";
  readonly #client: EtcdClient;
  readonly #codec: EtcdCodec;
  readonly #deliveryWaitMs: number;
  readonly #watches = new Set<EtcdStoreWatch>();
  #compacted = 0;
  #closed = false;

  private constructor(spec: EtcdStoreSpec, options: EtcdStoreOptions) {
    this.#client = new EtcdClient({ endpoints: spec.endpoints, requestTimeoutMs: options.requestTimeoutMs });
    this.#codec = new EtcdCodec(spec.prefix);
    this.#deliveryWaitMs = options.deliveryWaitMs ?? 2000;
  }

  /**
   * Connects to the etcd a spec names (`http://host:port[,…][?prefix=/atoll]`,
   * see parseEtcdSpec) and reads its compaction point; fails with a message
   * naming the endpoints when etcd cannot be reached.
   */
  static async open(spec: string | EtcdStoreSpec, options: EtcdStoreOptions = {}): Promise<EtcdStore> {
    const parsed = typeof spec === "string" ? parseEtcdSpec(spec) : spec;
    const store = new EtcdStore(parsed, options);
    try {
      store.#compacted = await store.#findCompacted();
    } catch (error) {
      await store.close();
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`failed to open etcd store at ${parsed.endpoints.join(",")}: ${reason}`, {
        cause: error,
      });
    }
    return store;
  }

  async currentRevision(): Promise<number> {
    this.#assertOpen();
    const response = await this.#call<RangeResponse>("read the current revision", "kv/range", {
      key: ZERO_KEY,
      count_only: true,
    });
    return revisionOf(response.header.revision);
  }

  /** The compaction point etcd last reported to this store (its own compactions, refusals, or at open). */
  async compactedRevision(): Promise<number> {
    this.#assertOpen();
    return this.#compacted;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.#assertOpen();
    const response = await this.#call<RangeResponse>(`get "${key}"`, "kv/range", {
      key: this.#codec.key(key),
    });
    return response.kvs?.[0] ? this.#codec.kv(response.kvs[0]) : undefined;
  }

  async create(key: string, value: string): Promise<KeyValue> {
    this.#assertOpen();
    const etcdKey = this.#codec.key(key);
    const response = await this.#txn(`create "${key}"`, {
      compare: [{ key: etcdKey, target: "CREATE", create_revision: "0", result: "EQUAL" }],
      success: [{ request_put: { key: etcdKey, value: encode(value) } }],
      failure: [{ request_range: { key: etcdKey } }],
    });
    if (!response.succeeded) throw storeErrors.keyExists(key, this.#failedCurrent(response, key));
    const revision = revisionOf(response.header.revision);
    return this.#written(Object.freeze({ key, value, createRevision: revision, modRevision: revision }));
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    this.#assertOpen();
    const etcdKey = this.#codec.key(key);
    const response = await this.#txn(`update "${key}"`, {
      compare: guards(etcdKey, expectedModRevision),
      success: [{ request_put: { key: etcdKey, value: encode(value), prev_kv: true } }],
      failure: [{ request_range: { key: etcdKey } }],
    });
    if (!response.succeeded) throw this.#refusal(response, key, expectedModRevision);
    const previous = response.responses?.[0]?.response_put?.prev_kv;
    const createRevision = previous ? revisionOf(previous.create_revision) : 0;
    const modRevision = revisionOf(response.header.revision);
    return this.#written(Object.freeze({ key, value, createRevision, modRevision }));
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    this.#assertOpen();
    const etcdKey = this.#codec.key(key);
    const response = await this.#txn(`delete "${key}"`, {
      compare: guards(etcdKey, expectedModRevision),
      success: [{ request_delete_range: { key: etcdKey, prev_kv: true } }],
      failure: [{ request_range: { key: etcdKey } }],
    });
    if (!response.succeeded) throw this.#refusal(response, key, expectedModRevision);
    const previous = response.responses?.[0]?.response_delete_range?.prev_kvs?.[0];
    if (!previous) throw new Error(`failed to delete "${key}": etcd returned no previous value`);
    const modRevision = revisionOf(response.header.revision);
    return this.#written(Object.freeze({ ...this.#codec.kv(previous), modRevision }));
  }

  async range(options: RangeOptions): Promise<RangeResult> {
    this.#assertOpen();
    const { prefix, after } = options;
    // "\0" after a key makes the smallest key above it.
    const from = after !== undefined && after >= prefix ? `${after}\0` : prefix;
    const limit = options.limit !== undefined && options.limit > 0 ? options.limit : 0;
    const revision = options.revision !== undefined && options.revision > 0 ? options.revision : 0;
    const response = await this.#call<RangeResponse>(`list "${prefix}"`, "kv/range", {
      ...this.#codec.range(prefix, from),
      limit: String(limit),
      revision: String(revision),
    });
    const kvs = (response.kvs ?? []).map((kv) => this.#codec.kv(kv));
    const remaining = response.more ? revisionOf(response.count) - kvs.length : 0;
    return {
      kvs,
      revision: revision > 0 ? revision : revisionOf(response.header.revision),
      more: remaining > 0,
      remaining,
    };
  }

  watch(options: WatchOptions, listener: WatchListener): Watch {
    const watch = new EtcdStoreWatch(
      {
        client: this.#client,
        codec: this.#codec,
        onCompacted: (revision) => this.#learnCompacted(revision),
        onEnded: (ended) => this.#watches.delete(ended),
      },
      options,
      listener,
    );
    if (this.#closed) {
      queueMicrotask(() => watch.fail(storeErrors.closed()));
    } else if (options.afterRevision < this.#compacted) {
      // etcd would replay from the compaction point itself; the store's contract refuses anything below it.
      const message = `cannot watch "${options.prefix}" after revision ${options.afterRevision}: history through ${this.#compacted} is compacted`;
      queueMicrotask(() => watch.fail(new StorageError("Compacted", message)));
    } else {
      this.#watches.add(watch);
      watch.start();
    }
    return watch;
  }

  /**
   * Compacts etcd's history at `revision` (the whole etcd: its revision is global).
   * At or below the known compaction point does nothing; beyond the current
   * revision fails FutureRevision.
   */
  async compact(revision: number): Promise<void> {
    this.#assertOpen();
    if (revision <= this.#compacted) return;
    try {
      await this.#call("compact", "kv/compaction", { revision: String(revision) });
      this.#learnCompacted(revision);
    } catch (error) {
      if (!(error instanceof StorageError) || error.code !== "Compacted") throw error;
      // Someone else compacted further: learn where.
      this.#learnCompacted(await this.#findCompacted());
    }
  }

  /** Ends every watch with `Closed` and drops the connections; later calls fail with `Closed`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const error = storeErrors.closed();
    for (const watch of [...this.#watches]) watch.fail(error);
    this.#client.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw storeErrors.closed();
  }

  #learnCompacted(revision: number): void {
    this.#compacted = Math.max(this.#compacted, revision);
  }

  /** Waits until this store's watches that want `kv` have heard it, so a resolved write was delivered. */
  async #written(kv: KeyValue): Promise<KeyValue> {
    const waiting: Array<Promise<void>> = [];
    for (const watch of this.#watches) {
      if (watch.awaits(kv.key, kv.modRevision))
        waiting.push(watch.delivered(kv.modRevision, this.#deliveryWaitMs));
    }
    if (waiting.length > 0) await Promise.all(waiting);
    return kv;
  }

  #failedCurrent(response: TxnResponse, key: string): KeyValue {
    const kv = response.responses?.[0]?.response_range?.kvs?.[0];
    if (!kv) throw new Error(`failed to write "${key}": etcd refused the txn but holds no such key`);
    return this.#codec.kv(kv);
  }

  #refusal(response: TxnResponse, key: string, expectedModRevision: number | undefined): StorageError {
    const kv = response.responses?.[0]?.response_range?.kvs?.[0];
    if (!kv) return storeErrors.keyNotFound(key);
    return storeErrors.conflict(key, expectedModRevision ?? 0, this.#codec.kv(kv));
  }

  #txn(what: string, body: object): Promise<TxnResponse> {
    return this.#call<TxnResponse>(what, "kv/txn", body);
  }

  /** One etcd call, its errors mapped: compaction and future revisions to StorageErrors, the rest wrapped with `what`. */
  async #call<T>(what: string, method: string, body: object): Promise<T> {
    try {
      return await this.#client.call<T>(method, body);
    } catch (error) {
      if (this.#closed) throw storeErrors.closed();
      // etcd reports both as gRPC OutOfRange; its clients tell them apart by their fixed text too.
      if (error instanceof EtcdError && error.etcdMessage.includes("required revision has been compacted")) {
        throw new StorageError("Compacted", `failed to ${what}: ${error.etcdMessage}`, { cause: error });
      }
      if (
        error instanceof EtcdError &&
        error.etcdMessage.includes("required revision is a future revision")
      ) {
        throw new StorageError("FutureRevision", `failed to ${what}: ${error.etcdMessage}`, { cause: error });
      }
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`failed to ${what}: ${reason}`, { cause: error });
    }
  }

  /** etcd does not say where it compacted, but a read below that point fails: search for the first readable revision. */
  async #findCompacted(): Promise<number> {
    if (await this.#readable(1)) return 0;
    let unreadable = 1;
    let readable = await this.currentRevision();
    while (readable - unreadable > 1) {
      const middle = Math.floor((unreadable + readable) / 2);
      if (await this.#readable(middle)) readable = middle;
      else unreadable = middle;
    }
    return readable;
  }

  async #readable(revision: number): Promise<boolean> {
    try {
      await this.#call("probe the compaction point", "kv/range", {
        key: ZERO_KEY,
        count_only: true,
        revision: String(revision),
      });
      return true;
    } catch (error) {
      if (error instanceof StorageError && error.code === "Compacted") return false;
      throw error;
    }
  }
}

/** "\0": a key no store writes, for reads that only want etcd's header. */
const ZERO_KEY = "AA==";

function encode(value: string): string {
  return Buffer.from(value, "utf8").toString("base64");
}

/** The txn compares of a guarded update or delete: the key exists, and is at the expected revision when one is given. */
function guards(etcdKey: string, expectedModRevision: number | undefined): object[] {
  const exists = { key: etcdKey, target: "CREATE", create_revision: "0", result: "GREATER" };
  if (expectedModRevision === undefined) return [exists];
  return [
    exists,
    { key: etcdKey, target: "MOD", mod_revision: String(expectedModRevision), result: "EQUAL" },
  ];
}
