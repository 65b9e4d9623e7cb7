import type { ResourceType } from "../resources/resource-type.ts";

/**
 * Definition names as kube-apiserver publishes them: built-in kinds under
 * their Go package (`io.k8s.api.core.v1.Pod`, `io.k8s.api.apps.v1.Deployment`),
 * custom resources under the reversed group (`io.atoll.cluster.v1alpha1.MemberCluster`).
 */
const BUILTIN_PACKAGES: Readonly<Record<string, string>> = {
  "": "io.k8s.api.core",
  apps: "io.k8s.api.apps",
  batch: "io.k8s.api.batch",
  autoscaling: "io.k8s.api.autoscaling",
  policy: "io.k8s.api.policy",
  "admissionregistration.k8s.io": "io.k8s.api.admissionregistration",
  "apiextensions.k8s.io": "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions",
  "apiregistration.k8s.io": "io.k8s.kube-aggregator.pkg.apis.apiregistration",
  "authentication.k8s.io": "io.k8s.api.authentication",
  "authorization.k8s.io": "io.k8s.api.authorization",
  "certificates.k8s.io": "io.k8s.api.certificates",
  "coordination.k8s.io": "io.k8s.api.coordination",
  "discovery.k8s.io": "io.k8s.api.discovery",
  "events.k8s.io": "io.k8s.api.events",
  "flowcontrol.apiserver.k8s.io": "io.k8s.api.flowcontrol",
  "internal.apiserver.k8s.io": "io.k8s.api.apiserverinternal",
  "networking.k8s.io": "io.k8s.api.networking",
  "node.k8s.io": "io.k8s.api.node",
  "rbac.authorization.k8s.io": "io.k8s.api.rbac",
  "resource.k8s.io": "io.k8s.api.resource",
  "scheduling.k8s.io": "io.k8s.api.scheduling",
  "storage.k8s.io": "io.k8s.api.storage",
  "storagemigration.k8s.io": "io.k8s.api.storagemigration",
};

export const META_V1 = "io.k8s.apimachinery.pkg.apis.meta.v1";
export const OBJECT_META = `${META_V1}.ObjectMeta`;
export const LIST_META = `${META_V1}.ListMeta`;
export const STATUS = `${META_V1}.Status`;
export const DELETE_OPTIONS = `${META_V1}.DeleteOptions`;
export const PATCH = `${META_V1}.Patch`;
export const WATCH_EVENT = `${META_V1}.WatchEvent`;
export const SCALE = "io.k8s.api.autoscaling.v1.Scale";

/** True for the groups Kubernetes itself serves (which custom resources cannot claim). */
export function isBuiltinGroup(group: string): boolean {
  return group in BUILTIN_PACKAGES;
}

/** `cluster.atoll.io` → `io.atoll.cluster`. */
export function reversedGroup(group: string): string {
  return group.split(".").reverse().join(".");
}

/** The definition name of a kind in a group version. */
export function definitionName(gvk: { group: string; version: string; kind: string }): string {
  const pkg = BUILTIN_PACKAGES[gvk.group] ?? reversedGroup(gvk.group);
  return `${pkg}.${gvk.version}.${gvk.kind}`;
}

/** The definition names of a resource's kind and list kind. */
export function kindNames(type: ResourceType): { kind: string; list: string } {
  return {
    kind: definitionName(type),
    list: definitionName({ group: type.group, version: type.version, kind: type.listKind }),
  };
}

/** Upper-cases the first letter: `apps` → `Apps`. */
function title(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/**
 * The group-version part of operation ids: `CoreV1`, `AppsV1`,
 * `RbacAuthorizationV1`, `ClusterAtollIoV1alpha1`.
 */
export function operationGroupVersion(type: Pick<ResourceType, "group" | "version">): string {
  if (!type.group) return `Core${title(type.version)}`;
  const group = isBuiltinGroup(type.group) ? type.group.replace(/\.k8s\.io$/, "") : type.group;
  const words = group.split(/[.-]/).map(title).join("");
  return `${words}${title(type.version)}`;
}
