import type { Clock } from "../api/clock.ts";
import type { KubeObject } from "../api/object.ts";
import type { Patcher } from "../registry/patching.ts";
import type { Registry } from "../registry/registry.ts";
import type { ResourceCatalog } from "../resources/catalog.ts";
import type { ResourceType } from "../resources/resource-type.ts";
import type { ShapeResolver } from "../schema/shape.ts";
import type { CachedObject } from "../watch/cacher.ts";
import type { Query } from "./query.ts";

export type TableOptions = {
  includeObject: "None" | "Metadata" | "Object";
  listMeta?: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
};

/** Compiles a request's labelSelector and fieldSelector into one predicate. */
export interface SelectorCompiler {
  compile(type: ResourceType, query: Query): { filter: (object: CachedObject) => boolean; filtered: boolean };
}

import type { PodLogSource } from "./handlers/pod-subresources.ts";

/** What request handlers share. */
export type ServerContext = {
  catalog: ResourceCatalog;
  registry: Registry;
  patcher: Patcher;
  shapes: ShapeResolver;
  clock: Clock;
  selectors: SelectorCompiler;
  tables(type: ResourceType, objects: KubeObject[], options: TableOptions): object;
  /** How often idle watches get a BOOKMARK (when they asked for bookmarks). */
  bookmarkIntervalMs: number;
  /** A watch without timeoutSeconds ends after between this and twice this (kube-apiserver's min-request-timeout). */
  watchTimeoutSeconds: number;
  /** The pod log source, once a kubelet provides one. */
  podLogs(): PodLogSource | undefined;
};
