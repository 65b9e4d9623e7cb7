import type { KubeClient, ListOptions, ResourceId } from "./client.ts";
import { StatusError } from "./errors.ts";
import type { KubeObject } from "./object.ts";

export type InformerHandlers = {
  onAdd?(object: KubeObject): void;
  onUpdate?(object: KubeObject, old: KubeObject): void;
  onDelete?(object: KubeObject): void;
};

/** `namespace/name`, or `name` for cluster-scoped objects: the key controllers queue. */
export function objectKeyOf(object: KubeObject): string {
  const { namespace, name } = object.metadata;
  return namespace ? `${namespace}/${name}` : (name ?? "");
}

/** Splits an object key back into namespace and name. */
export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf("/");
  return slash < 0
    ? { namespace: undefined, name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** The index every informer keeps: objects by namespace (what `list(namespace)` reads). */
const NAMESPACE_INDEX = "atoll.io/namespace";

export type InformerOptions = ListOptions & {
  /** Extra indexes: name → function giving the index values of an object. */
  indexers?: Record<string, (object: KubeObject) => string[]>;
  /** Pause before re-listing after a failure (default 200 ms, doubling to 5 s). */
  retryMs?: number;
};

/**
 * List-then-watch cache of one resource, as client-go's shared informer: a
 * local store with indexes, change handlers, relist on 410 Expired and on
 * dropped watches. Reads never touch the server.
 */
export class Informer {
  #client: KubeClient;
  #resource: ResourceId;
  #options: InformerOptions;
  #store = new Map<string, KubeObject>();
  #indexes = new Map<string, Map<string, Set<string>>>();
  #indexers: Map<string, (object: KubeObject) => string[]>;
  #handlers: InformerHandlers[] = [];
  #watch: { stop(): void } | undefined;
  #resourceVersion = "";
  #synced = false;
  #syncWaiters: Array<() => void> = [];
  #stopped = false;
  #retryMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(client: KubeClient, resource: ResourceId, options: InformerOptions = {}) {
    this.#client = client;
    this.#resource = resource;
    this.#options = options;
    this.#retryMs = options.retryMs ?? 200;
    this.#indexers = new Map([
      [NAMESPACE_INDEX, (o: KubeObject) => (o.metadata.namespace ? [o.metadata.namespace] : [])],
      ...Object.entries(options.indexers ?? {}),
    ]);
    for (const name of this.#indexers.keys()) this.#indexes.set(name, new Map());
  }

  get resource(): ResourceId {
    return this.#resource;
  }

  addHandlers(handlers: InformerHandlers): void {
    this.#handlers.push(handlers);
    for (const object of this.#store.values()) handlers.onAdd?.(object);
  }

  start(): void {
    void this.#listAndWatch();
  }

  stop(): void {
    this.#stopped = true;
    this.#watch?.stop();
    if (this.#timer) clearTimeout(this.#timer);
  }

  /** Whether the first list has been loaded. */
  get hasSynced(): boolean {
    return this.#synced;
  }

  /** Resolves once the first list has been loaded. */
  synced(): Promise<void> {
    if (this.#synced) return Promise.resolve();
    return new Promise((resolve) => this.#syncWaiters.push(resolve));
  }

  get(key: string): KubeObject | undefined {
    return this.#store.get(key);
  }

  list(namespace?: string): KubeObject[] {
    if (namespace === undefined) return [...this.#store.values()];
    return this.byIndex(NAMESPACE_INDEX, namespace);
  }

  /**
   * Adds an index after construction (for informers shared through a
   * factory): existing objects are indexed now, later ones as they come.
   * A second index of the same name is ignored.
   */
  addIndexer(name: string, indexer: (object: KubeObject) => string[]): void {
    if (this.#indexers.has(name)) return;
    this.#indexers.set(name, indexer);
    this.#indexes.set(name, new Map());
    for (const [key, object] of this.#store) this.#indexOne(name, indexer, key, object);
  }

  /** Objects whose index `name` contains `value`. */
  byIndex(name: string, value: string): KubeObject[] {
    const keys = this.#indexes.get(name)?.get(value);
    if (!keys) return [];
    return [...keys].map((key) => this.#store.get(key)).filter((o): o is KubeObject => o !== undefined);
  }

  async #listAndWatch(): Promise<void> {
    if (this.#stopped) return;
    try {
      const { namespace, labelSelector, fieldSelector } = this.#options;
      const list = await this.#client.list(this.#resource, { namespace, labelSelector, fieldSelector });
      this.#replace(list.items);
      this.#resourceVersion = list.resourceVersion;
      this.#markSynced();
      this.#startWatch();
    } catch {
      this.#retry();
    }
  }

  #startWatch(): void {
    if (this.#stopped) return;
    const { namespace, labelSelector, fieldSelector } = this.#options;
    this.#watch = this.#client.watch(
      this.#resource,
      { namespace, labelSelector, fieldSelector, resourceVersion: this.#resourceVersion },
      {
        onEvent: (type, object) => {
          if (object.metadata.resourceVersion) this.#resourceVersion = object.metadata.resourceVersion;
          if (type === "ADDED" || type === "MODIFIED") this.#upsert(object);
          else if (type === "DELETED") this.#remove(object);
        },
        onClose: (error) => {
          if (this.#stopped) return;
          if (error instanceof StatusError && (error.reason === "Expired" || error.reason === "Gone")) {
            void this.#listAndWatch();
          } else if (error) this.#retry();
          else this.#startWatch();
        },
      },
    );
  }

  #retry(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#listAndWatch(), this.#retryMs);
    this.#retryMs = Math.min(this.#retryMs * 2, 5000);
  }

  #markSynced(): void {
    this.#retryMs = this.#options.retryMs ?? 200;
    if (this.#synced) return;
    this.#synced = true;
    for (const waiter of this.#syncWaiters.splice(0)) waiter();
  }

  /** Applies a fresh list: adds and updates what is listed, deletes what is gone. */
  #replace(items: KubeObject[]): void {
    const listed = new Set<string>();
    for (const item of items) {
      listed.add(objectKeyOf(item));
      this.#upsert(item);
    }
    for (const [key, object] of this.#store) if (!listed.has(key)) this.#remove(object);
  }

  #upsert(object: KubeObject): void {
    const key = objectKeyOf(object);
    const old = this.#store.get(key);
    if (old && old.metadata.resourceVersion === object.metadata.resourceVersion) return;
    this.#store.set(key, object);
    if (old) this.#reindex(key, old, object);
    else this.#index(key, object);
    for (const handlers of this.#handlers) {
      if (old) handlers.onUpdate?.(object, old);
      else handlers.onAdd?.(object);
    }
  }

  #remove(object: KubeObject): void {
    const key = objectKeyOf(object);
    const old = this.#store.get(key);
    if (!old) return;
    this.#unindex(key, old);
    this.#store.delete(key);
    for (const handlers of this.#handlers) handlers.onDelete?.(object);
  }

  #index(key: string, object: KubeObject): void {
    for (const [name, indexer] of this.#indexers) this.#indexOne(name, indexer, key, object);
  }

  #indexOne(name: string, indexer: (object: KubeObject) => string[], key: string, object: KubeObject): void {
    const index = this.#indexes.get(name);
    if (!index) return;
    for (const value of indexer(object)) {
      const keys = index.get(value) ?? new Set<string>();
      index.set(value, keys);
      keys.add(key);
    }
  }

  /** Moves `key` only between the index values that changed, so unchanged entries keep their place (list order). */
  #reindex(key: string, old: KubeObject, object: KubeObject): void {
    for (const [name, indexer] of this.#indexers) {
      const index = this.#indexes.get(name);
      if (!index) continue;
      const before = indexer(old);
      const after = indexer(object);
      for (const value of before) {
        if (after.includes(value)) continue;
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
      for (const value of after) {
        if (before.includes(value)) continue;
        const keys = index.get(value) ?? new Set<string>();
        index.set(value, keys);
        keys.add(key);
      }
    }
  }

  #unindex(key: string, object: KubeObject): void {
    for (const [name, indexer] of this.#indexers) {
      const index = this.#indexes.get(name);
      if (!index) continue;
      for (const value of indexer(object)) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
    }
  }
}
