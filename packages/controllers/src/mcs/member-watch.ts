import {
  EndpointSliceLabels,
  MCS_ENDPOINTSLICE_MANAGER,
  McsLabels,
  SERVICE_EXPORTS,
  SERVICE_IMPORTS,
} from "@atoll/api";
import { Informer, type KubeClient, type KubeObject, objectKeyOf, R } from "@atoll/kube";
import type { EndpointSlice } from "./core-objects.ts";

/** Index of a member's EndpointSlices: the Service they belong to (namespace/name), ours excluded. */
export const SLICES_OF_SERVICE = "mcs/service";
/** Index of a member's EndpointSlices: the ServiceImport (namespace/name) of those the MCS controller wrote. */
export const SLICES_OF_IMPORT = "mcs/import";

/** Whether an EndpointSlice is one the MCS controller imported. */
export function isImportedSlice(slice: KubeObject): boolean {
  return slice.metadata.labels?.[EndpointSliceLabels.managedBy] === MCS_ENDPOINTSLICE_MANAGER;
}

export type MemberWatchEvents = {
  /** Something about the clusterset service `namespace/name` may have changed in this member. */
  onKey(key: string, kind: "export" | "import" | "other"): void;
  /** A namespace appeared, changed phase or went. */
  onNamespace(namespace: string): void;
  /** Every informer has listed once. */
  onSynced(): void;
};

/**
 * The MCS controller's informers over one member: ServiceExports,
 * ServiceImports, Services, EndpointSlices and Namespaces. Built over one
 * connection; a new connection (the member re-joined) means a new watch.
 */
export class MemberWatch {
  readonly member: string;
  /** The connection this watch reads through. */
  readonly source: object;
  readonly startedAt: number;
  readonly exports: Informer;
  readonly imports: Informer;
  readonly services: Informer;
  readonly slices: Informer;
  readonly namespaces: Informer;
  #synced = false;
  #stopped = false;

  constructor(options: {
    member: string;
    client: KubeClient;
    source: object;
    now: number;
    events: MemberWatchEvents;
  }) {
    const { client, events } = options;
    this.member = options.member;
    this.source = options.source;
    this.startedAt = options.now;
    this.exports = new Informer(client, SERVICE_EXPORTS);
    this.imports = new Informer(client, SERVICE_IMPORTS);
    this.services = new Informer(client, R.services);
    this.slices = new Informer(client, R.endpointslices, {
      indexers: {
        [SLICES_OF_SERVICE]: (slice) => {
          const service = slice.metadata.labels?.[EndpointSliceLabels.serviceName];
          return service && !isImportedSlice(slice) ? [`${slice.metadata.namespace}/${service}`] : [];
        },
        [SLICES_OF_IMPORT]: (slice) => {
          const name = slice.metadata.labels?.[McsLabels.serviceName];
          return name && isImportedSlice(slice) ? [`${slice.metadata.namespace}/${name}`] : [];
        },
      },
    });
    this.namespaces = new Informer(client, R.namespaces);
    const on = (
      informer: Informer,
      map: (object: KubeObject) => string | undefined,
      kind: "export" | "import" | "other",
    ) => {
      const emit = (object: KubeObject) => {
        const key = map(object);
        if (key && !this.#stopped) events.onKey(key, kind);
      };
      informer.addHandlers({
        onAdd: emit,
        onUpdate: (o, old) => {
          emit(o);
          emit(old);
        },
        onDelete: emit,
      });
    };
    on(this.exports, objectKeyOf, "export");
    on(this.imports, objectKeyOf, "import");
    on(this.services, serviceKeyOf, "other");
    on(this.slices, sliceKeyOf, "other");
    const namespace = (object: KubeObject) => {
      if (!this.#stopped) events.onNamespace(object.metadata.name ?? "");
    };
    this.namespaces.addHandlers({
      onAdd: namespace,
      onUpdate: (o, old) => {
        if (phaseOf(o) !== phaseOf(old)) namespace(o);
      },
      onDelete: namespace,
    });
    const all = this.#informers();
    for (const informer of all) informer.start();
    void Promise.all(all.map((i) => i.synced())).then(() => {
      if (this.#stopped) return;
      this.#synced = true;
      events.onSynced();
    });
  }

  /** Whether every informer has listed once. */
  get synced(): boolean {
    return this.#synced;
  }

  /** Whether the namespace exists in the member and is not being deleted. */
  hasNamespace(namespace: string): boolean {
    const found = this.namespaces.get(namespace);
    return found !== undefined && !found.metadata.deletionTimestamp && phaseOf(found) !== "Terminating";
  }

  /** The member's own EndpointSlices of the Service `namespace/name`. */
  serviceSlices(key: string): EndpointSlice[] {
    return this.slices.byIndex(SLICES_OF_SERVICE, key) as EndpointSlice[];
  }

  /** The EndpointSlices the MCS controller wrote for the import `namespace/name`. */
  importedSlices(key: string): EndpointSlice[] {
    return this.slices.byIndex(SLICES_OF_IMPORT, key) as EndpointSlice[];
  }

  stop(): void {
    this.#stopped = true;
    for (const informer of this.#informers()) informer.stop();
  }

  #informers(): Informer[] {
    return [this.exports, this.imports, this.services, this.slices, this.namespaces];
  }
}

/** A derived Service belongs to its import's key; any other Service to its own. */
function serviceKeyOf(service: KubeObject): string {
  const imported = service.metadata.labels?.[McsLabels.serviceName];
  return imported ? `${service.metadata.namespace}/${imported}` : objectKeyOf(service);
}

function sliceKeyOf(slice: KubeObject): string | undefined {
  const labels = slice.metadata.labels ?? {};
  const name = isImportedSlice(slice)
    ? labels[McsLabels.serviceName]
    : labels[EndpointSliceLabels.serviceName];
  return name ? `${slice.metadata.namespace}/${name}` : undefined;
}

function phaseOf(namespace: KubeObject): unknown {
  const status = namespace.status as { phase?: unknown } | undefined;
  return status?.phase;
}
