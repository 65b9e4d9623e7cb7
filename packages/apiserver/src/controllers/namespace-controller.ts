import { StatusError } from "../api/errors.ts";
import { deleteObject } from "../registry/deletion.ts";
import { listPrefix, resourcePrefix } from "../registry/keys.ts";
import { mutateObject } from "../registry/mutate.ts";
import type { Registry } from "../registry/registry.ts";
import { NAMESPACE_FINALIZER, specFinalizers } from "../registry/strategies/core.ts";
import type { ResourceCatalog } from "../resources/catalog.ts";
import { KeyQueue } from "./key-queue.ts";

const NAMESPACES_PREFIX = "/registry/core/namespaces/";

/**
 * Empties a terminating namespace: deletes every namespaced object in it, and
 * once none is left, removes the `kubernetes` finalizer so the namespace goes.
 */
export class NamespaceController {
  #registry: Registry;
  #catalog: ResourceCatalog;
  #queue: KeyQueue;
  #unsubscribe: () => void;

  constructor(options: {
    registry: Registry;
    catalog: ResourceCatalog;
    onError: (key: string, error: unknown) => void;
  }) {
    this.#registry = options.registry;
    this.#catalog = options.catalog;
    this.#queue = new KeyQueue({ reconcile: (name) => this.#reconcile(name), onError: options.onError });
    this.#unsubscribe = this.#registry.cacher.onEvent((event) => {
      const { key, object } = event.current;
      if (
        key.startsWith(NAMESPACES_PREFIX) &&
        event.type !== "DELETED" &&
        object.metadata.deletionTimestamp
      ) {
        this.#queue.add(object.metadata.name ?? "");
      } else if (event.type === "DELETED" && object.metadata.namespace) {
        const ns = this.#registry.cacher.get(NAMESPACES_PREFIX + object.metadata.namespace);
        if (ns?.object.metadata.deletionTimestamp) this.#queue.add(object.metadata.namespace);
      }
    });
    for (const ns of this.#registry.cacher.resource(NAMESPACES_PREFIX).list(NAMESPACES_PREFIX)) {
      if (ns.object.metadata.deletionTimestamp) this.#queue.add(ns.object.metadata.name ?? "");
    }
  }

  stop(): void {
    this.#unsubscribe();
    this.#queue.stop();
  }

  async #reconcile(name: string): Promise<{ requeueAfterMs?: number } | undefined> {
    const namespaces = this.#catalog.find("", "v1", "namespaces");
    const ns = this.#registry.cacher.get(NAMESPACES_PREFIX + name);
    if (!namespaces || !ns?.object.metadata.deletionTimestamp) return undefined;
    if (!specFinalizers(ns.object).includes(NAMESPACE_FINALIZER)) return undefined;
    let remaining = 0;
    const seen = new Set<string>();
    for (const type of this.#catalog.all()) {
      const prefix = resourcePrefix(type);
      if (!type.namespaced || seen.has(prefix)) continue;
      seen.add(prefix);
      for (const item of this.#registry.cacher.resource(prefix).list(listPrefix(type, name))) {
        remaining++;
        if (item.object.metadata.deletionTimestamp) continue;
        try {
          await deleteObject(this.#registry, type, name, item.object.metadata.name ?? "", {
            propagationPolicy: "Background",
          });
        } catch (error) {
          if (!(error instanceof StatusError && error.reason === "NotFound")) throw error;
        }
      }
    }
    if (remaining > 0) {
      // Objects still waiting on finalizers or grace periods: check again shortly.
      return { requeueAfterMs: 200 };
    }
    await mutateObject(
      this.#registry,
      { type: namespaces, namespace: undefined, name },
      (object) => {
        const finalizers = specFinalizers(object).filter((f) => f !== NAMESPACE_FINALIZER);
        object.spec = { ...(object.spec as object), finalizers };
        return true;
      },
      { subresource: "finalize" },
    );
    return undefined;
  }
}
