import { AtollLabels } from "@atoll/api";
import type { Informer, KubeClient, KubeObject, ResourceId } from "@atoll/kube";
import { InformerPool } from "../propagation/informer-pool.ts";
import { workKeyOf } from "./manifest.ts";

const MANAGED = `${AtollLabels.managedBy}=${AtollLabels.managedByValue}`;

/**
 * What the execution controller keeps about one member: informers over the
 * objects Atoll manages there (one per kind applied, labelled managed-by
 * atoll) so reads need no request and edits or deletions in the member
 * re-queue their Work; the namespaces known to exist; and, for the rare object
 * the member normalises, what a faithful copy looks like.
 */
export class MemberCache {
  readonly member: string;
  readonly client: KubeClient;
  /** The connection this cache was built over; a new one means a new cache. */
  readonly source: object;
  /** Namespaces seen to exist in the member (forgotten when an apply says otherwise). */
  readonly namespaces = new Set<string>();
  #pool: InformerPool;
  #onWork: (workKey: string) => void;
  #expected = new Map<string, { sent: string; expected: unknown }>();

  constructor(options: {
    member: string;
    client: KubeClient;
    source: object;
    /** A member object of this Work changed or vanished. */
    onWork: (workKey: string) => void;
  }) {
    this.member = options.member;
    this.client = options.client;
    this.source = options.source;
    this.#onWork = options.onWork;
    this.#pool = new InformerPool(options.client, { labelSelector: MANAGED });
  }

  /** The informer over managed objects of `resource`, started on first use. */
  informer(resource: ResourceId): Informer {
    const existing = this.#pool.existing(resource);
    if (existing) return existing;
    const requeue = (object: KubeObject) => {
      const key = workKeyOf(object);
      if (key) this.#onWork(key);
    };
    return this.#pool.informer(resource, {
      onAdd: requeue,
      onUpdate: (object, old) => {
        requeue(object);
        if (workKeyOf(old) !== workKeyOf(object)) requeue(old);
      },
      onDelete: requeue,
    });
  }

  /**
   * What the live object must contain to match `sent`: the manifest itself,
   * unless an earlier apply of exactly this manifest came back normalised.
   */
  expectation(key: string, sent: KubeObject): unknown {
    const recorded = this.#expected.get(key);
    if (!recorded) return sent;
    if (recorded.sent === JSON.stringify(sent)) return recorded.expected;
    this.#expected.delete(key);
    return sent;
  }

  /** Remembers the member's normalised form of `sent` (undefined forgets it). */
  recordExpectation(key: string, sent: KubeObject, expected: unknown): void {
    if (expected === undefined) this.#expected.delete(key);
    else this.#expected.set(key, { sent: JSON.stringify(sent), expected });
  }

  stop(): void {
    this.#pool.stop();
    this.#expected.clear();
  }
}

/** Member caches by member name, rebuilt when a member's connection changes. */
export class MemberCaches {
  #caches = new Map<string, MemberCache>();
  #onWork: (workKey: string) => void;
  #stopped = false;

  constructor(onWork: (workKey: string) => void) {
    this.#onWork = onWork;
  }

  /**
   * The cache of `member` over `client`; a different `source` (a new
   * connection) replaces the old cache. After stop() (a reconcile still in
   * flight), a throw-away cache that starts no informers.
   */
  for(member: string, client: KubeClient, source: object): MemberCache {
    const current = this.#caches.get(member);
    if (current && current.source === source) return current;
    current?.stop();
    const cache = new MemberCache({ member, client, source, onWork: this.#onWork });
    if (this.#stopped) cache.stop();
    else this.#caches.set(member, cache);
    return cache;
  }

  get(member: string): MemberCache | undefined {
    return this.#caches.get(member);
  }

  drop(member: string): void {
    this.#caches.get(member)?.stop();
    this.#caches.delete(member);
  }

  stop(): void {
    this.#stopped = true;
    for (const cache of this.#caches.values()) cache.stop();
    this.#caches.clear();
  }
}
