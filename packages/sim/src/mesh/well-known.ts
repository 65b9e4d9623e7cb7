/** Names the cluster mesh reads and writes, defined once. */

export { ANNOTATION_GLOBAL_SERVICE } from "../network/well-known.ts";

/** Cilium ClusterMesh: "false" keeps a global Service's own endpoints out of the other members. */
export const ANNOTATION_SHARED_SERVICE = "service.cilium.io/shared";
/** Cilium ClusterMesh: `local`, `remote` or `none` (default) — which side's endpoints a global Service prefers. */
export const ANNOTATION_SERVICE_AFFINITY = "service.cilium.io/affinity";

/** Where a member keeps its mesh objects (Cilium keeps its clustermesh config in kube-system too). */
export const MESH_NAMESPACE = "kube-system";
/** ConfigMap: the member's identity for meshing (name, id, pod and service ranges). */
export const CLUSTER_INFO_CONFIGMAP = "atoll-cluster-info";
/** Secret: the peers this member meshes with, by name — each one's kubeconfig and identity. */
export const CLUSTERMESH_SECRET = "atoll-clustermesh";
/** ConfigMap: what the member's mesh component sees of its peers, for `atoll mesh status`. */
export const CLUSTERMESH_STATUS_CONFIGMAP = "atoll-clustermesh-status";

/** Suffix of a peer's kubeconfig key in {@link CLUSTERMESH_SECRET}: `<peer>.kubeconfig`. */
export const PEER_KUBECONFIG_SUFFIX = ".kubeconfig";
/** Suffix of a peer's identity key in {@link CLUSTERMESH_SECRET}: `<peer>.cluster-info` (JSON). */
export const PEER_INFO_SUFFIX = ".cluster-info";

/** Field manager of the mesh component's and the CLI's writes. */
export const MESH_FIELD_MANAGER = "atoll-clustermesh";

/** Cilium's cluster id range: 0 is "no cluster", 255 the largest id a default mesh carries. */
export const CLUSTER_ID_RANGE: readonly [number, number] = [1, 255];
/** Cilium refuses cluster names longer than this. */
export const MAX_CLUSTER_NAME_LENGTH = 32;
