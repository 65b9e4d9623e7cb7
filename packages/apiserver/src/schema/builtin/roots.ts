/** One built-in kind and the OpenAPI definition name of its root shape. */
export type BuiltinKind = {
  /** "" for the core group. */
  group: string;
  version: string;
  kind: string;
  /** e.g. "io.k8s.api.core.v1.Pod". */
  definition: string;
};

const CORE = "io.k8s.api.core.v1";

/** Every built-in kind that has a root shape, in a stable order. */
export const builtinKinds: readonly BuiltinKind[] = [
  ...["Namespace", "Pod", "Service", "Endpoints", "ConfigMap", "Secret", "ServiceAccount"].map((kind) =>
    core(kind),
  ),
  ...["PersistentVolumeClaim", "PersistentVolume", "Node", "Event"].map((kind) => core(kind)),
  ...["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"].map((kind) =>
    api("apps", "v1", kind, "io.k8s.api.apps.v1"),
  ),
  api("autoscaling", "v1", "Scale", "io.k8s.api.autoscaling.v1"),
  api("batch", "v1", "Job", "io.k8s.api.batch.v1"),
  ...["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"].map((kind) =>
    api("rbac.authorization.k8s.io", "v1", kind, "io.k8s.api.rbac.v1"),
  ),
  api("coordination.k8s.io", "v1", "Lease", "io.k8s.api.coordination.v1"),
  api("discovery.k8s.io", "v1", "EndpointSlice", "io.k8s.api.discovery.v1"),
  api("storage.k8s.io", "v1", "StorageClass", "io.k8s.api.storage.v1"),
  api(
    "apiextensions.k8s.io",
    "v1",
    "CustomResourceDefinition",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1",
  ),
];

function core(kind: string): BuiltinKind {
  return { group: "", version: "v1", kind, definition: `${CORE}.${kind}` };
}

function api(group: string, version: string, kind: string, prefix: string): BuiltinKind {
  return { group, version, kind, definition: `${prefix}.${kind}` };
}
