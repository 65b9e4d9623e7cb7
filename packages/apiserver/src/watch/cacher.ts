import { cloneJson } from "@atoll/kube";
import type { KubeObject } from "../api/object.ts";
import { StorageError, type Store, type Watch, type WatchEvent } from "../storage/store.ts";
import { ResourceCache } from "./resource-cache.ts";

/** One object as the cache holds it: parsed, and serialized with its resourceVersion. */
export type CachedObject = {
  key: string;
  object: KubeObject;
  /** `object` as JSON, shared by every list and watch response that carries it. */
  json: string;
  /** The revision of the write that produced this state. */
  revision: number;
};

export type CacheEventType = "ADDED" | "MODIFIED" | "DELETED";

export type CacheEvent = {
  type: CacheEventType;
  /** The new state; for DELETED, the last state stamped with the delete's revision. */
  current: CachedObject;
  previous: CachedObject | undefined;
  revision: number;
};

export type CacherOptions = {
  /** Events kept per resource for watches that resume from a past resourceVersion. */
  historyPerResource?: number;
};

/**
 * The watch cache: one storage watch over the whole registry fanned out to
 * per-resource caches, each holding the current objects and a bounded window
 * of recent events. Lists and watches are served from here.
 */
export class Cacher {
  #watch: Watch | undefined;
  #resources = new Map<string, ResourceCache>();
  #revision = 0;
  #history: number;
  #revisionWaiters: Array<{ revision: number; resolve: () => void }> = [];
  #failed: StorageError | undefined;
  #listeners = new Set<(event: CacheEvent) => void>();

  private constructor(options: CacherOptions) {
    this.#history = options.historyPerResource ?? 5000;
  }

  /** Loads everything under `/registry/` and follows the store from there. */
  static async start(store: Store, options: CacherOptions = {}): Promise<Cacher> {
    const cacher = new Cacher(options);
    const initial = await store.range({ prefix: "/registry/" });
    cacher.#revision = initial.revision;
    for (const kv of initial.kvs) {
      cacher.#resourceFor(kv.key).load(toCached(kv.key, kv.value, kv.modRevision));
    }
    for (const resource of cacher.#resources.values()) resource.resetHistory(initial.revision);
    cacher.#watch = store.watch(
      { prefix: "/registry/", afterRevision: initial.revision },
      {
        onEvents: (events) => cacher.#apply(events),
        onError: (error) => {
          cacher.#failed = error;
        },
      },
    );
    return cacher;
  }

  /** The revision of the last write the cache has applied. */
  get revision(): number {
    return this.#revision;
  }

  /** A storage failure that stopped the cache, if any. */
  get failure(): StorageError | undefined {
    return this.#failed;
  }

  /** The cache of one resource, by its key prefix (`/registry/core/pods/`). */
  resource(prefix: string): ResourceCache {
    let resource = this.#resources.get(prefix);
    if (!resource) {
      resource = new ResourceCache({ prefix, capacity: this.#history, startRevision: this.#revision });
      this.#resources.set(prefix, resource);
    }
    return resource;
  }

  get(key: string): CachedObject | undefined {
    return this.#resourceFor(key).get(key);
  }

  /** Resolves once the cache has applied `revision` (at once for in-process stores). */
  waitForRevision(revision: number, timeoutMs: number): Promise<boolean> {
    if (this.#revision >= revision) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = { revision, resolve: () => resolve(true) };
      this.#revisionWaiters.push(waiter);
      setTimeout(() => {
        const index = this.#revisionWaiters.indexOf(waiter);
        if (index >= 0) {
          this.#revisionWaiters.splice(index, 1);
          resolve(false);
        }
      }, timeoutMs).unref();
    });
  }

  /** Every object currently cached, across all resources. */
  *allObjects(): Iterable<CachedObject> {
    for (const resource of this.#resources.values()) yield* resource.list(resource.prefix);
  }

  /** Calls `listener` after every change to any resource (for in-process controllers). */
  onEvent(listener: (event: CacheEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  stop(): void {
    this.#watch?.cancel();
    for (const resource of this.#resources.values()) resource.closeWatchers();
  }

  #emit(resource: ResourceCache, event: CacheEvent): void {
    resource.apply(event);
    for (const listener of this.#listeners) listener(event);
  }

  #resourceFor(key: string): ResourceCache {
    return this.resource(resourcePrefixOf(key));
  }

  #apply(events: WatchEvent[]): void {
    for (const event of events) {
      const resource = this.#resourceFor(event.kv.key);
      const previous = resource.get(event.kv.key);
      if (event.type === "put") {
        const current = toCached(event.kv.key, event.kv.value, event.kv.modRevision);
        this.#revision = event.kv.modRevision;
        this.#emit(resource, {
          type: previous ? "MODIFIED" : "ADDED",
          current,
          previous,
          revision: current.revision,
        });
      } else {
        const last = previous ?? toCached(event.kv.key, event.prevKv.value, event.prevKv.modRevision);
        const current = withRevision(last, event.kv.modRevision);
        this.#revision = event.kv.modRevision;
        this.#emit(resource, { type: "DELETED", current, previous: last, revision: event.kv.modRevision });
      }
    }
    if (this.#revisionWaiters.length > 0) {
      const ready = this.#revisionWaiters.filter((w) => w.revision <= this.#revision);
      this.#revisionWaiters = this.#revisionWaiters.filter((w) => w.revision > this.#revision);
      for (const waiter of ready) waiter.resolve();
    }
  }
}

/** `/registry/apps/deployments/ns/name` → `/registry/apps/deployments/`. */
export function resourcePrefixOf(key: string): string {
  let slashes = 0;
  for (let i = 0; i < key.length; i++) {
    if (key.charCodeAt(i) === 47 && ++slashes === 4) return key.slice(0, i + 1);
  }
  if (key.startsWith("/registry/")) return key;
  throw new StorageError("KeyNotFound", `not a registry key: ${key}`, { key });
}

/** Parses a stored value and stamps it with its resourceVersion. */
export function toCached(key: string, value: string, revision: number): CachedObject {
  const object = JSON.parse(value) as KubeObject;
  object.metadata.resourceVersion = String(revision);
  return { key, object, json: JSON.stringify(object), revision };
}

function withRevision(cached: CachedObject, revision: number): CachedObject {
  const object = cloneJson(cached.object);
  object.metadata.resourceVersion = String(revision);
  return { key: cached.key, object, json: JSON.stringify(object), revision };
}
