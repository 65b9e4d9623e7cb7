import type { KubeObject } from "./object.ts";

/** A resource as the API addresses it: group, version and plural name. */
export type ResourceId = {
  /** "" for the core group. */
  group: string;
  version: string;
  /** The plural URL segment: "pods", "deployments". */
  resource: string;
  /** Whether objects live in namespaces. */
  namespaced: boolean;
  /** The kind, for objects the client builds (`Pod`). */
  kind: string;
};

export type ListOptions = {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
};

export type ListResult = { items: KubeObject[]; resourceVersion: string };

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";

export type WatchHandlers = {
  onEvent(type: WatchEventType, object: KubeObject): void;
  /** The watch ended: `error` is a StatusError (e.g. Expired → relist) or a transport failure; undefined on a normal close. */
  onClose(error?: unknown): void;
};

export type WriteOptions = {
  fieldManager?: string;
  dryRun?: boolean;
  subresource?: string;
};

export type PatchType = "merge" | "strategic" | "json" | "apply";

export type PatchOptions = WriteOptions & { force?: boolean };

export type DeleteOptions = {
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
};

/**
 * The Kubernetes API as Atoll's controllers use it. Implemented over HTTP for
 * remote clusters and in process for a simulated member's own control plane;
 * both give the API server's semantics (validation, conflicts, Status errors
 * as `StatusError`).
 *
 * Objects returned by reads and watches may be shared with a cache: treat them
 * as immutable and copy before changing.
 */
export interface KubeClient {
  get(resource: ResourceId, namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
  list(resource: ResourceId, options?: ListOptions): Promise<ListResult>;
  create(
    resource: ResourceId,
    namespace: string | undefined,
    object: KubeObject,
    options?: WriteOptions,
  ): Promise<KubeObject>;
  /** PUT; Conflict when `object.metadata.resourceVersion` is stale. */
  update(
    resource: ResourceId,
    namespace: string | undefined,
    object: KubeObject,
    options?: WriteOptions,
  ): Promise<KubeObject>;
  patch(
    resource: ResourceId,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    options?: PatchOptions,
  ): Promise<KubeObject>;
  /** Resolves with the object as deleted (or as marked for deletion); NotFound is an error. */
  delete(
    resource: ResourceId,
    namespace: string | undefined,
    name: string,
    options?: DeleteOptions,
  ): Promise<KubeObject>;
  /** Streams changes after `resourceVersion` (or the current state first, when it is absent). */
  watch(
    resource: ResourceId,
    options: ListOptions & { resourceVersion?: string },
    handlers: WatchHandlers,
  ): { stop(): void };
}
