import type { Clock, Informer, KubeObject } from "@atoll/kube";

type Expected = {
  kind: "create" | "delete" | "finalizer-removal";
  /** The child's informer key (`namespace/name`). */
  key: string;
  uid: string;
  finalizer?: string;
  at: number;
};

/** Kubernetes' `ExpectationsTimeout`: after this, an unobserved write is forgotten and the controller acts again. */
const DEFAULT_TTL_MS = 5 * 60_000;

/**
 * The writes a controller made that its informer has not shown yet, per
 * controller key, as Kubernetes' ControllerExpectations: while a key has
 * unobserved creates or deletes, its controller must not count children from
 * the cache, or it would create duplicates (or delete too many). Unlike
 * counting expectations, each write is remembered by the child's key and
 * uid and checked against the cache on demand, so no event hooks are needed.
 */
export class Expectations {
  #entries = new Map<string, Expected[]>();
  #lookup: (childKey: string) => KubeObject | undefined;
  #clock: Clock;
  #ttlMs: number;

  constructor(options: {
    /** The children's informer: looked up on demand, and watched so a child created and then deleted before the next check still counts as seen. */
    children: Informer;
    clock: Clock;
    ttlMs?: number;
  }) {
    this.#lookup = (key) => options.children.get(key);
    this.#clock = options.clock;
    this.#ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    const seen = (child: KubeObject) => this.#seen(child);
    options.children.addHandlers({ onAdd: seen, onDelete: seen });
  }

  /** A child the informer has shown: its creation is observed, whatever happens to it next. */
  #seen(child: KubeObject): void {
    const uid = child.metadata.uid;
    for (const [key, list] of this.#entries) {
      const rest = list.filter((e) => !(e.kind === "create" && e.uid === uid));
      if (rest.length !== list.length) {
        if (rest.length === 0) this.#entries.delete(key);
        else this.#entries.set(key, rest);
      }
    }
  }

  /** `created` is the API server's answer to a create. */
  expectCreation(key: string, created: KubeObject): void {
    this.#add(key, { kind: "create", key: childKey(created), uid: created.metadata.uid ?? "" });
  }

  expectDeletion(key: string, child: KubeObject): void {
    this.#add(key, { kind: "delete", key: childKey(child), uid: child.metadata.uid ?? "" });
  }

  expectFinalizerRemoval(key: string, child: KubeObject, finalizer: string): void {
    this.#add(key, {
      kind: "finalizer-removal",
      key: childKey(child),
      uid: child.metadata.uid ?? "",
      finalizer,
    });
  }

  /** True when the cache shows every create and delete recorded for `key` (or they timed out). */
  satisfied(key: string): boolean {
    return this.#pending(key).every((e) => e.kind === "finalizer-removal");
  }

  /** Uids of children whose finalizer removal the cache does not show yet. */
  pendingFinalizerRemovals(key: string): Set<string> {
    return new Set(
      this.#pending(key)
        .filter((e) => e.kind === "finalizer-removal")
        .map((e) => e.uid),
    );
  }

  forget(key: string): void {
    this.#entries.delete(key);
  }

  #add(key: string, entry: Omit<Expected, "at">): void {
    const list = this.#entries.get(key) ?? [];
    list.push({ ...entry, at: this.#clock.now().getTime() });
    this.#entries.set(key, list);
  }

  #pending(key: string): Expected[] {
    const list = this.#entries.get(key);
    if (!list) return [];
    const now = this.#clock.now().getTime();
    const pending = list.filter((e) => now - e.at < this.#ttlMs && !this.#observed(e));
    if (pending.length === 0) this.#entries.delete(key);
    else this.#entries.set(key, pending);
    return pending;
  }

  #observed(entry: Expected): boolean {
    const current = this.#lookup(entry.key);
    switch (entry.kind) {
      case "create":
        // Seen, or already replaced by a newer object of the same name.
        return current !== undefined;
      case "delete":
        return (
          current === undefined || current.metadata.uid !== entry.uid || !!current.metadata.deletionTimestamp
        );
      case "finalizer-removal":
        return (
          current === undefined ||
          current.metadata.uid !== entry.uid ||
          !(current.metadata.finalizers ?? []).includes(entry.finalizer ?? "")
        );
    }
  }
}

function childKey(object: KubeObject): string {
  const { namespace, name } = object.metadata;
  return namespace ? `${namespace}/${name}` : (name ?? "");
}
