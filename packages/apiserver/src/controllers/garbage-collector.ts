import { StatusError } from "../api/errors.ts";
import type { KubeObject } from "../api/object.ts";
import { deleteObject, FINALIZER_FOREGROUND, FINALIZER_ORPHAN } from "../registry/deletion.ts";
import { mutateObject } from "../registry/mutate.ts";
import type { Registry } from "../registry/registry.ts";
import type { ResourceCatalog } from "../resources/catalog.ts";
import type { ResourceType } from "../resources/resource-type.ts";
import type { CacheEvent } from "../watch/cacher.ts";
import { KeyQueue } from "./key-queue.ts";

type Node = { key: string; uid: string; object: KubeObject; owners: string[] };

/**
 * Owner-reference garbage collection, as kube-controller-manager's: dependents
 * of a deleted owner are deleted (background), a foreground-deleting owner
 * waits for its dependents, an orphaning owner lets go of them first.
 * Queue keys are uids of owners (or of dependents whose owners may be gone).
 */
export class GarbageCollector {
  #registry: Registry;
  #catalog: ResourceCatalog;
  #nodes = new Map<string, Node>();
  #dependents = new Map<string, Set<string>>();
  #queue: KeyQueue;
  #unsubscribe: () => void;

  constructor(options: {
    registry: Registry;
    catalog: ResourceCatalog;
    onError: (key: string, error: unknown) => void;
  }) {
    this.#registry = options.registry;
    this.#catalog = options.catalog;
    this.#queue = new KeyQueue({ reconcile: (uid) => this.#reconcile(uid), onError: options.onError });
    this.#unsubscribe = this.#registry.cacher.onEvent((event) => this.#observe(event));
    for (const cached of this.#registry.cacher.allObjects()) this.#index(cached.key, cached.object);
    for (const node of this.#nodes.values()) this.#queue.add(node.uid);
  }

  stop(): void {
    this.#unsubscribe();
    this.#queue.stop();
  }

  #observe(event: CacheEvent): void {
    const { key, object } = event.current;
    if (event.type === "DELETED") {
      const uid = object.metadata.uid ?? "";
      this.#unindex(uid);
      this.#queue.add(uid);
      for (const owner of ownerUids(object)) this.#queue.add(owner);
      return;
    }
    this.#index(key, object);
    const uid = object.metadata.uid ?? "";
    const finalizers = object.metadata.finalizers ?? [];
    if (
      object.metadata.deletionTimestamp &&
      (finalizers.includes(FINALIZER_ORPHAN) || finalizers.includes(FINALIZER_FOREGROUND))
    ) {
      this.#queue.add(uid);
    }
    if (ownerUids(object).length > 0) this.#queue.add(uid);
    for (const owner of ownerUids(object)) {
      const ownerNode = this.#nodes.get(owner);
      if (ownerNode?.object.metadata.deletionTimestamp) this.#queue.add(owner);
    }
  }

  #index(key: string, object: KubeObject): void {
    const uid = object.metadata.uid;
    if (!uid) return;
    const previous = this.#nodes.get(uid);
    if (previous) for (const owner of previous.owners) this.#dependents.get(owner)?.delete(uid);
    const owners = ownerUids(object);
    this.#nodes.set(uid, { key, uid, object, owners });
    for (const owner of owners) {
      const set = this.#dependents.get(owner) ?? new Set<string>();
      this.#dependents.set(owner, set);
      set.add(uid);
    }
  }

  #unindex(uid: string): void {
    const node = this.#nodes.get(uid);
    if (!node) return;
    for (const owner of node.owners) this.#dependents.get(owner)?.delete(uid);
    this.#nodes.delete(uid);
  }

  async #reconcile(uid: string): Promise<{ requeueAfterMs?: number } | undefined> {
    const node = this.#nodes.get(uid);
    if (node) {
      await this.#collectIfOrphaned(node);
      const current = this.#nodes.get(uid);
      if (current?.object.metadata.deletionTimestamp) return this.#finishDeletion(current);
      return undefined;
    }
    // The owner is gone: every dependent whose owners are all gone is deleted.
    for (const dependentUid of [...(this.#dependents.get(uid) ?? [])]) {
      const dependent = this.#nodes.get(dependentUid);
      if (dependent) await this.#collectIfOrphaned(dependent);
    }
    if ((this.#dependents.get(uid)?.size ?? 0) === 0) this.#dependents.delete(uid);
    return undefined;
  }

  /** Deletes `node` when none of its owners exists any more; drops references to missing owners otherwise. */
  async #collectIfOrphaned(node: Node): Promise<void> {
    if (node.owners.length === 0) return;
    const missing = node.owners.filter((owner) => !this.#nodes.has(owner));
    if (missing.length === 0) return;
    const target = this.#target(node);
    if (!target) return;
    if (missing.length === node.owners.length) {
      if (node.object.metadata.deletionTimestamp) return;
      await ignoreNotFound(
        deleteObject(this.#registry, target.type, target.namespace, target.name, {
          propagationPolicy: "Background",
        }),
      );
      return;
    }
    await mutateObject(this.#registry, target, (object) => dropOwners(object, missing));
  }

  async #finishDeletion(node: Node): Promise<{ requeueAfterMs?: number } | undefined> {
    const finalizers = node.object.metadata.finalizers ?? [];
    const target = this.#target(node);
    if (!target) return undefined;
    const dependents = [...(this.#dependents.get(node.uid) ?? [])]
      .map((uid) => this.#nodes.get(uid))
      .filter((d) => d !== undefined);
    if (finalizers.includes(FINALIZER_ORPHAN)) {
      for (const dependent of dependents) {
        const dependentTarget = this.#target(dependent);
        if (!dependentTarget) continue;
        await mutateObject(this.#registry, dependentTarget, (object) => dropOwners(object, [node.uid]));
      }
      await removeFinalizer(this.#registry, target, FINALIZER_ORPHAN);
      return undefined;
    }
    if (finalizers.includes(FINALIZER_FOREGROUND)) {
      for (const dependent of dependents) {
        const dependentTarget = this.#target(dependent);
        if (!dependentTarget || dependent.object.metadata.deletionTimestamp) continue;
        await ignoreNotFound(
          deleteObject(
            this.#registry,
            dependentTarget.type,
            dependentTarget.namespace,
            dependentTarget.name,
            {
              propagationPolicy: "Foreground",
            },
          ),
        );
      }
      if (dependents.length > 0) return { requeueAfterMs: 200 };
      await removeFinalizer(this.#registry, target, FINALIZER_FOREGROUND);
    }
    return undefined;
  }

  #target(node: Node): { type: ResourceType; namespace: string | undefined; name: string } | undefined {
    const [, , group, plural] = node.key.split("/");
    const type = this.#catalog.all().find((t) => (t.group || "core") === group && t.plural === plural);
    if (!type) return undefined;
    return { type, namespace: node.object.metadata.namespace, name: node.object.metadata.name ?? "" };
  }
}

/** Removes references to `uids`; an emptied list goes away, as Kubernetes omits it. */
function dropOwners(object: KubeObject, uids: readonly string[]): boolean {
  const refs = object.metadata.ownerReferences ?? [];
  const kept = refs.filter((ref) => !uids.includes(ref.uid));
  if (kept.length === refs.length) return false;
  if (kept.length === 0) delete object.metadata.ownerReferences;
  else object.metadata.ownerReferences = kept;
  return true;
}

function ownerUids(object: KubeObject): string[] {
  return (object.metadata.ownerReferences ?? [])
    .map((ref) => ref.uid)
    .filter((uid) => typeof uid === "string");
}

async function removeFinalizer(
  registry: Registry,
  target: { type: ResourceType; namespace: string | undefined; name: string },
  finalizer: string,
): Promise<void> {
  await mutateObject(registry, target, (object) => {
    const finalizers = object.metadata.finalizers ?? [];
    if (!finalizers.includes(finalizer)) return false;
    object.metadata.finalizers = finalizers.filter((f) => f !== finalizer);
    return true;
  });
}

async function ignoreNotFound(promise: Promise<unknown>): Promise<void> {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof StatusError && error.reason === "NotFound")) throw error;
  }
}
