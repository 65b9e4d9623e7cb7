import type { Informer, KubeObject, ResourceId } from "@atoll/kube";
import { isRecord, R } from "@atoll/kube";
import type { InformerPool } from "../propagation/informer-pool.ts";
import { gvkKey, type ResourceMapper } from "../propagation/resource-mapper.ts";
import { isAtollGroup } from "./ignored.ts";

/** Why a kind's templates cannot be watched: the hub does not serve it (yet), or it is Atoll's own. */
export type KindProblem = "unknown" | "reserved";

export type WatchResult = { resource: ResourceId } | { problem: KindProblem };

/**
 * The kinds whose templates the detector watches: every kind some policy
 * selects or some binding refers to, each through the pool's shared
 * informer. A kind the hub does not serve yet (its CRD is missing or not yet
 * Established) is remembered and watched as soon as `retry()` finds it.
 */
export class TemplateKinds {
  #pool: InformerPool;
  #mapper: ResourceMapper;
  #crds: Informer;
  #onChange: (resource: ResourceId, template: KubeObject) => void;
  #watched = new Map<string, ResourceId>();
  #pending = new Map<string, { apiVersion: string; kind: string }>();

  /** `onChange` hears every addition, update and deletion of a watched kind's templates. */
  constructor(options: {
    pool: InformerPool;
    mapper: ResourceMapper;
    crds: Informer;
    onChange: (resource: ResourceId, template: KubeObject) => void;
  }) {
    this.#pool = options.pool;
    this.#mapper = options.mapper;
    this.#crds = options.crds;
    this.#onChange = options.onChange;
  }

  /** Watches the templates of `apiVersion`/`kind` from now on, when the hub serves that kind. */
  watch(apiVersion: string, kind: string): WatchResult {
    const key = gvkKey(apiVersion, kind);
    const watched = this.#watched.get(key);
    if (watched) return { resource: watched };
    const resource = this.#servedResource(apiVersion, kind);
    if (!resource) {
      this.#pending.set(key, { apiVersion, kind });
      return { problem: "unknown" };
    }
    if (isAtollGroup(resource.group)) return { problem: "reserved" };
    this.#pending.delete(key);
    this.#watched.set(key, resource);
    const changed = (template: KubeObject) => this.#onChange(resource, template);
    // The binding stage writes members' status back onto templates; a change
    // to status alone is nothing the detector decides on (as in Karmada).
    const updated = (template: KubeObject, old: KubeObject) => {
      if (!onlyStatusChanged(old, template)) changed(template);
    };
    this.#pool.informer(resource, { onAdd: changed, onUpdate: updated, onDelete: changed });
    return { resource };
  }

  /** The watched resource of `apiVersion`/`kind`, if it is watched. */
  resource(apiVersion: string, kind: string): ResourceId | undefined {
    return this.#watched.get(gvkKey(apiVersion, kind));
  }

  /** The informer of a watched resource. */
  informer(resource: ResourceId): Informer | undefined {
    return this.#pool.existing(resource);
  }

  /** Tries the kinds the hub did not serve before (call when CRDs change); returns those now watched. */
  retry(): ResourceId[] {
    const found: ResourceId[] = [];
    for (const { apiVersion, kind } of [...this.#pending.values()]) {
      const result = this.watch(apiVersion, kind);
      if ("resource" in result) found.push(result.resource);
    }
    return found;
  }

  /**
   * The resource serving a kind, once the hub really serves it: a custom kind
   * counts only when its CRD is Established, so the informer's first list
   * does not fail and back off while the CRD is still being set up.
   */
  #servedResource(apiVersion: string, kind: string): ResourceId | undefined {
    const resource = this.#mapper.resolve(apiVersion, kind);
    if (!resource || isBuiltIn(resource)) return resource;
    const crd = this.#crds.get(`${resource.resource}.${resource.group}`);
    return crd && isEstablished(crd) ? resource : undefined;
  }
}

function isBuiltIn(resource: ResourceId): boolean {
  return (Object.values(R) as ResourceId[]).some(
    (r) => r.group === resource.group && r.version === resource.version && r.resource === resource.resource,
  );
}

function isEstablished(crd: KubeObject): boolean {
  const conditions =
    isRecord(crd.status) && Array.isArray(crd.status.conditions) ? crd.status.conditions : [];
  return conditions.some((c) => isRecord(c) && c.type === "Established" && c.status === "True");
}

/** Whether two versions of an object differ only in status (and the bookkeeping every write changes). */
export function onlyStatusChanged(old: KubeObject, current: KubeObject): boolean {
  return JSON.stringify(withoutStatus(old)) === JSON.stringify(withoutStatus(current));
}

function withoutStatus(object: KubeObject): KubeObject {
  const { status: _status, ...rest } = object;
  const { resourceVersion: _rv, managedFields: _mf, ...metadata } = object.metadata;
  return { ...rest, metadata };
}
