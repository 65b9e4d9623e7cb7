import type { ResourceId } from "./client.ts";

const core = (resource: string, kind: string, namespaced = true): ResourceId => ({
  group: "",
  version: "v1",
  resource,
  kind,
  namespaced,
});

/** Built-in resources by name, as the controllers and the CLI address them. */
export const R = {
  pods: core("pods", "Pod"),
  nodes: core("nodes", "Node", false),
  namespaces: core("namespaces", "Namespace", false),
  services: core("services", "Service"),
  endpoints: core("endpoints", "Endpoints"),
  events: core("events", "Event"),
  configmaps: core("configmaps", "ConfigMap"),
  secrets: core("secrets", "Secret"),
  serviceaccounts: core("serviceaccounts", "ServiceAccount"),
  persistentvolumeclaims: core("persistentvolumeclaims", "PersistentVolumeClaim"),
  persistentvolumes: core("persistentvolumes", "PersistentVolume", false),
  deployments: {
    group: "apps",
    version: "v1",
    resource: "deployments",
    kind: "Deployment",
    namespaced: true,
  },
  replicasets: {
    group: "apps",
    version: "v1",
    resource: "replicasets",
    kind: "ReplicaSet",
    namespaced: true,
  },
  statefulsets: {
    group: "apps",
    version: "v1",
    resource: "statefulsets",
    kind: "StatefulSet",
    namespaced: true,
  },
  daemonsets: { group: "apps", version: "v1", resource: "daemonsets", kind: "DaemonSet", namespaced: true },
  jobs: { group: "batch", version: "v1", resource: "jobs", kind: "Job", namespaced: true },
  leases: {
    group: "coordination.k8s.io",
    version: "v1",
    resource: "leases",
    kind: "Lease",
    namespaced: true,
  },
  endpointslices: {
    group: "discovery.k8s.io",
    version: "v1",
    resource: "endpointslices",
    kind: "EndpointSlice",
    namespaced: true,
  },
  clusterroles: {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    resource: "clusterroles",
    kind: "ClusterRole",
    namespaced: false,
  },
  clusterrolebindings: {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    resource: "clusterrolebindings",
    kind: "ClusterRoleBinding",
    namespaced: false,
  },
  customresourcedefinitions: {
    group: "apiextensions.k8s.io",
    version: "v1",
    resource: "customresourcedefinitions",
    kind: "CustomResourceDefinition",
    namespaced: false,
  },
  storageclasses: {
    group: "storage.k8s.io",
    version: "v1",
    resource: "storageclasses",
    kind: "StorageClass",
    namespaced: false,
  },
} as const satisfies Record<string, ResourceId>;

/** `v1` or `apps/v1`: the apiVersion of a resource's objects. */
export function apiVersionOf(resource: Pick<ResourceId, "group" | "version">): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}
