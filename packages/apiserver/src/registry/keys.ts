import type { ResourceType } from "../resources/resource-type.ts";

/** `/registry/apps/deployments/` — every version of a resource shares one storage prefix. */
export function resourcePrefix(type: Pick<ResourceType, "group" | "plural">): string {
  return `/registry/${type.group || "core"}/${type.plural}/`;
}

/** The storage key of one object (namespace ignored for cluster-scoped resources). */
export function objectKey(type: ResourceType, namespace: string | undefined, name: string): string {
  return type.namespaced ? `${resourcePrefix(type)}${namespace}/${name}` : `${resourcePrefix(type)}${name}`;
}

/** The key prefix of a list: one namespace, or all of them. */
export function listPrefix(type: ResourceType, namespace: string | undefined): string {
  return type.namespaced && namespace ? `${resourcePrefix(type)}${namespace}/` : resourcePrefix(type);
}
