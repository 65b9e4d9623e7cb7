import { StatusError } from "../api/errors.ts";
import { isRecord, jsonEqual, type KubeObject, rfc3339 } from "../api/object.ts";
import { KeyQueue } from "../controllers/key-queue.ts";
import type { CustomResourceDefinition } from "../crd/definition.ts";
import { deleteObject } from "../registry/deletion.ts";
import { resourcePrefix } from "../registry/keys.ts";
import { mutateObject } from "../registry/mutate.ts";
import type { Registry } from "../registry/registry.ts";
import type { ResourceCatalog } from "../resources/catalog.ts";
import type { ResourceType } from "../resources/resource-type.ts";
import { CRD_CLEANUP_FINALIZER } from "./crd-strategy.ts";
import type { CrdTypes } from "./crd-types.ts";

const CRD_PREFIX = "/registry/apiextensions.k8s.io/customresourcedefinitions/";

type Condition = {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastTransitionTime?: string;
};

/**
 * Serves what CRDs define: checks their names for conflicts, adds their
 * resources to the catalog (discovery and OpenAPI follow at once), reports
 * NamesAccepted/Established, and on deletion removes every custom resource
 * before letting the CRD go.
 */
export class CrdController {
  #registry: Registry;
  #catalog: ResourceCatalog;
  #crdTypes: CrdTypes;
  #served = new Map<string, ResourceType[]>();
  #queue: KeyQueue;
  #unsubscribe: () => void;

  constructor(options: {
    registry: Registry;
    catalog: ResourceCatalog;
    crdTypes: CrdTypes;
    onError: (key: string, error: unknown) => void;
  }) {
    this.#registry = options.registry;
    this.#catalog = options.catalog;
    this.#crdTypes = options.crdTypes;
    this.#queue = new KeyQueue({ reconcile: (name) => this.#reconcile(name), onError: options.onError });
    this.#unsubscribe = this.#registry.cacher.onEvent((event) => {
      if (event.current.key.startsWith(CRD_PREFIX)) this.#queue.add(event.current.object.metadata.name ?? "");
    });
    for (const crd of this.#registry.cacher.resource(CRD_PREFIX).list(CRD_PREFIX)) {
      // Serve existing CRDs before the server takes requests, as a restart must not lose them.
      this.#serve(crd.object);
      this.#queue.add(crd.object.metadata.name ?? "");
    }
  }

  stop(): void {
    this.#unsubscribe();
    this.#queue.stop();
  }

  async #reconcile(name: string): Promise<{ requeueAfterMs?: number } | undefined> {
    const cached = this.#registry.cacher.get(CRD_PREFIX + name);
    if (!cached) {
      this.#unserve(name);
      return undefined;
    }
    const crd = cached.object;
    if (crd.metadata.deletionTimestamp) return this.#cleanUp(crd);
    const conflict = this.#nameConflict(crd);
    if (conflict) {
      this.#unserve(name);
      await this.#setStatus(name, [
        { type: "NamesAccepted", status: "False", reason: conflict.reason, message: conflict.message },
        {
          type: "Established",
          status: "False",
          reason: "NotAccepted",
          message: "not all names are accepted",
        },
      ]);
      return undefined;
    }
    this.#serve(crd);
    await this.#setStatus(name, [
      { type: "NamesAccepted", status: "True", reason: "NoConflicts", message: "no conflicts found" },
      {
        type: "Established",
        status: "True",
        reason: "InitialNamesAccepted",
        message: "the initial names have been accepted",
      },
    ]);
    return undefined;
  }

  #serve(crd: KubeObject): void {
    const name = crd.metadata.name ?? "";
    const previous = this.#served.get(name);
    if (previous) this.#crdTypes.unregister(previous);
    const types = this.#crdTypes.register(crd as CustomResourceDefinition);
    this.#served.set(name, types);
    this.#catalog.set(`crd:${name}`, types);
  }

  #unserve(name: string): void {
    const types = this.#served.get(name);
    if (!types) return;
    this.#catalog.set(`crd:${name}`, []);
    this.#crdTypes.unregister(types);
    this.#served.delete(name);
  }

  #nameConflict(crd: KubeObject): { reason: string; message: string } | undefined {
    const spec = (crd as CustomResourceDefinition).spec ?? {};
    const names = spec.names ?? {};
    const own = crd.metadata.name;
    for (const type of this.#catalog.all()) {
      if (type.group !== spec.group || type.definedBy === own) continue;
      if (type.plural === names.plural)
        return { reason: "PluralConflict", message: `"${names.plural}" is already in use` };
      if (type.kind === names.kind)
        return { reason: "KindConflict", message: `"${names.kind}" is already in use` };
    }
    return undefined;
  }

  async #cleanUp(crd: KubeObject): Promise<{ requeueAfterMs?: number } | undefined> {
    const name = crd.metadata.name ?? "";
    const types = this.#served.get(name);
    await this.#setStatus(name, [
      {
        type: "Terminating",
        status: "True",
        reason: "InstanceDeletionInProgress",
        message: "CustomResource deletion is in progress",
      },
    ]);
    if (types && types.length > 0) {
      const type = types[0];
      const items = this.#registry.cacher.resource(resourcePrefix(type)).list(resourcePrefix(type));
      for (const item of items) {
        if (item.object.metadata.deletionTimestamp) continue;
        try {
          await deleteObject(
            this.#registry,
            type,
            item.object.metadata.namespace,
            item.object.metadata.name ?? "",
            {},
          );
        } catch (error) {
          if (!(error instanceof StatusError && error.reason === "NotFound")) throw error;
        }
      }
      if (items.length > 0) return { requeueAfterMs: 200 };
    }
    const crdType = this.#catalog.find("apiextensions.k8s.io", "v1", "customresourcedefinitions");
    if (!crdType) return undefined;
    await mutateObject(this.#registry, { type: crdType, namespace: undefined, name }, (object) => {
      const finalizers = object.metadata.finalizers ?? [];
      if (!finalizers.includes(CRD_CLEANUP_FINALIZER)) return false;
      object.metadata.finalizers = finalizers.filter((f) => f !== CRD_CLEANUP_FINALIZER);
      return true;
    });
    return undefined;
  }

  /** Merges `conditions` into status (keeping transition times of unchanged ones), with accepted names and stored versions. */
  async #setStatus(name: string, conditions: Condition[]): Promise<void> {
    const crdType = this.#catalog.find("apiextensions.k8s.io", "v1", "customresourcedefinitions");
    if (!crdType) return;
    const now = rfc3339(this.#registry.clock.now());
    await mutateObject(
      this.#registry,
      { type: crdType, namespace: undefined, name },
      (object) => {
        const spec = (object as CustomResourceDefinition).spec ?? {};
        const status = isRecord(object.status) ? object.status : {};
        const existing = Array.isArray(status.conditions) ? (status.conditions as Condition[]) : [];
        const merged = [...existing];
        for (const condition of conditions) {
          const index = merged.findIndex((c) => c.type === condition.type);
          const before = index >= 0 ? merged[index] : undefined;
          const time = before && before.status === condition.status ? before.lastTransitionTime : now;
          const next = { ...condition, lastTransitionTime: time };
          if (index >= 0) merged[index] = next;
          else merged.push(next);
        }
        const accepted = conditions.some((c) => c.type === "NamesAccepted" && c.status === "True");
        const storage = (spec.versions ?? []).find((v) => v.storage)?.name;
        const stored = Array.isArray(status.storedVersions) ? (status.storedVersions as string[]) : [];
        const nextStatus = {
          ...status,
          conditions: merged,
          acceptedNames: accepted ? spec.names : (status.acceptedNames ?? { plural: "", kind: "" }),
          storedVersions: storage && !stored.includes(storage) ? [...stored, storage] : stored,
        };
        if (jsonEqual(nextStatus, status)) return false;
        object.status = nextStatus;
        return true;
      },
      { subresource: "status" },
    );
  }
}
