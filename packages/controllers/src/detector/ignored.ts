import {
  AtollNamespaces,
  CLUSTER_RESOURCE_BINDINGS,
  MEMBER_CLUSTERS,
  memberOfExecutionNamespace,
  POLICY_GROUP,
} from "@atoll/api";
import type { KubeObject } from "@atoll/kube";

/** Namespaces whose objects belong to the hub itself and are never propagated. */
const RESERVED_NAMESPACES: ReadonlySet<string> = new Set([
  "kube-system",
  "kube-public",
  "kube-node-lease",
  AtollNamespaces.hubSystem,
]);

/** Atoll's own API groups: policies, bindings, Works and MemberClusters describe propagation, they are not propagated. */
const ATOLL_GROUPS: ReadonlySet<string> = new Set([
  MEMBER_CLUSTERS.group,
  POLICY_GROUP,
  CLUSTER_RESOURCE_BINDINGS.group,
]);

/**
 * Objects every namespace gets from its own cluster: the `default`
 * ServiceAccount and the `kube-root-ca.crt` ConfigMap. A member makes its own,
 * so copying the hub's would fight the member's controllers.
 */
const PER_NAMESPACE_OBJECTS: ReadonlySet<string> = new Set([
  "/ServiceAccount/default",
  "/ConfigMap/kube-root-ca.crt",
]);

/** Whether a namespace's objects are the hub's own (system namespaces and members' execution namespaces). */
export function isReservedNamespace(namespace: string): boolean {
  return RESERVED_NAMESPACES.has(namespace) || memberOfExecutionNamespace(namespace) !== undefined;
}

/** Whether objects of this API group may never be propagated. */
export function isAtollGroup(group: string): boolean {
  return ATOLL_GROUPS.has(group);
}

/**
 * Why `template` (served from `group`) is never propagated, or undefined when
 * it may be. Objects being deleted are not ignored here: their deletion is
 * handled instead.
 */
export function ignoreReason(group: string, template: KubeObject): string | undefined {
  if (isAtollGroup(group)) return `${group} is Atoll's own API group`;
  const { namespace, name = "" } = template.metadata;
  if (namespace && isReservedNamespace(namespace)) return `namespace ${namespace} is reserved`;
  if (!namespace && group === "" && template.kind === "Namespace" && isReservedNamespace(name)) {
    return `namespace ${name} is reserved`;
  }
  if (group === "" && PER_NAMESPACE_OBJECTS.has(`/${template.kind}/${name}`)) {
    return `every namespace has its own ${template.kind} ${name}`;
  }
  return undefined;
}
