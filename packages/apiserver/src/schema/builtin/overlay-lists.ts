/**
 * Hand-written list and map semantics for the built-in types, which the
 * `kubernetes-types` declarations do not carry. Keys are
 * `<OpenAPI definition name>.<field>`. A list field missing here is atomic with
 * no patch strategy, as Kubernetes treats a list without markers.
 *
 * Patch strategies and merge keys were checked against the struct tags
 * compiled into kubectl v1.32.3; list types and map keys follow the
 * `+listType`/`+listMapKey` markers of Kubernetes 1.32.
 */
import type { Shape } from "../shape.ts";

/** The list-related properties of a `list` shape. */
export type ListSemantics = Pick<
  Extract<Shape, { type: "list" }>,
  "listType" | "keys" | "patchStrategy" | "patchMergeKey"
>;

const CORE = "io.k8s.api.core.v1";
const APPS = "io.k8s.api.apps.v1";
const BATCH = "io.k8s.api.batch.v1";
const DISCOVERY = "io.k8s.api.discovery.v1";
const META = "io.k8s.apimachinery.pkg.apis.meta.v1";
const CRD = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1";

/** A list merged by `keys` in apply and by `patchMergeKey` (default: the first key) in strategic merge patch. */
function mergedMap(keys: readonly string[], patchMergeKey = keys[0], patchStrategy = "merge"): ListSemantics {
  return { listType: "map", keys, patchStrategy, patchMergeKey };
}
/** A list of maps keyed for apply, but replaced whole by strategic merge patch. */
function applyOnlyMap(keys: readonly string[]): ListSemantics {
  return { listType: "map", keys };
}
const MERGED_SET: ListSemantics = { listType: "set", patchStrategy: "merge" };
const SET: ListSemantics = { listType: "set" };
const CONDITIONS = mergedMap(["type"]);

export const listSemantics: Readonly<Record<string, ListSemantics>> = {
  [`${META}.ObjectMeta.finalizers`]: MERGED_SET,
  [`${META}.ObjectMeta.ownerReferences`]: mergedMap(["uid"]),

  [`${CORE}.PodSpec.containers`]: mergedMap(["name"]),
  [`${CORE}.PodSpec.initContainers`]: mergedMap(["name"]),
  [`${CORE}.PodSpec.ephemeralContainers`]: mergedMap(["name"]),
  [`${CORE}.PodSpec.volumes`]: mergedMap(["name"], "name", "merge,retainKeys"),
  [`${CORE}.PodSpec.imagePullSecrets`]: mergedMap(["name"]),
  [`${CORE}.PodSpec.hostAliases`]: mergedMap(["ip"]),
  [`${CORE}.PodSpec.topologySpreadConstraints`]: mergedMap(["topologyKey", "whenUnsatisfiable"]),
  [`${CORE}.PodSpec.schedulingGates`]: mergedMap(["name"]),
  [`${CORE}.PodSpec.resourceClaims`]: mergedMap(["name"], "name", "merge,retainKeys"),

  [`${CORE}.Container.ports`]: mergedMap(["containerPort", "protocol"]),
  [`${CORE}.Container.env`]: mergedMap(["name"]),
  [`${CORE}.Container.volumeMounts`]: mergedMap(["mountPath"]),
  [`${CORE}.Container.volumeDevices`]: mergedMap(["devicePath"]),
  [`${CORE}.EphemeralContainer.ports`]: mergedMap(["containerPort", "protocol"]),
  [`${CORE}.EphemeralContainer.env`]: mergedMap(["name"]),
  [`${CORE}.EphemeralContainer.volumeMounts`]: mergedMap(["mountPath"]),
  [`${CORE}.EphemeralContainer.volumeDevices`]: mergedMap(["devicePath"]),

  [`${CORE}.PodStatus.conditions`]: CONDITIONS,
  [`${CORE}.PodStatus.podIPs`]: mergedMap(["ip"]),
  [`${CORE}.PodStatus.hostIPs`]: mergedMap(["ip"]),
  [`${CORE}.PodStatus.resourceClaimStatuses`]: mergedMap(["name"], "name", "merge,retainKeys"),
  [`${CORE}.ContainerStatus.volumeMounts`]: mergedMap(["mountPath"]),
  [`${CORE}.ContainerStatus.allocatedResourcesStatus`]: mergedMap(["name"]),
  [`${CORE}.ResourceStatus.resources`]: applyOnlyMap(["resourceID"]),

  [`${CORE}.ServiceSpec.ports`]: mergedMap(["port", "protocol"]),
  [`${CORE}.ServiceStatus.conditions`]: CONDITIONS,
  [`${CORE}.ServiceAccount.secrets`]: mergedMap(["name"]),
  [`${CORE}.NamespaceStatus.conditions`]: CONDITIONS,
  [`${CORE}.PersistentVolumeClaimStatus.conditions`]: CONDITIONS,
  [`${CORE}.NodeSpec.podCIDRs`]: MERGED_SET,
  [`${CORE}.NodeStatus.addresses`]: mergedMap(["type"]),
  [`${CORE}.NodeStatus.conditions`]: CONDITIONS,

  [`${APPS}.DeploymentStatus.conditions`]: CONDITIONS,
  [`${APPS}.ReplicaSetStatus.conditions`]: CONDITIONS,
  [`${APPS}.StatefulSetStatus.conditions`]: CONDITIONS,
  [`${APPS}.DaemonSetStatus.conditions`]: CONDITIONS,
  // Merged by type in strategic merge patch, but atomic for apply.
  [`${BATCH}.JobStatus.conditions`]: { listType: "atomic", patchStrategy: "merge", patchMergeKey: "type" },
  [`${BATCH}.PodFailurePolicyOnExitCodesRequirement.values`]: SET,
  [`${BATCH}.UncountedTerminatedPods.succeeded`]: SET,
  [`${BATCH}.UncountedTerminatedPods.failed`]: SET,

  [`${DISCOVERY}.Endpoint.addresses`]: SET,

  [`${CRD}.CustomResourceDefinitionStatus.conditions`]: applyOnlyMap(["type"]),
  [`${CRD}.JSONSchemaProps.x-kubernetes-validations`]: mergedMap(["rule"]),
};

/** Maps replaced whole by patches and apply (`+mapType=atomic`). */
export const atomicMaps: ReadonlySet<string> = new Set([
  `${CORE}.PodSpec.nodeSelector`,
  `${CORE}.ServiceSpec.selector`,
]);

/** Structs replaced whole by apply (`+structType=atomic`). */
export const atomicStructs: ReadonlySet<string> = new Set([
  `${META}.LabelSelector`,
  `${META}.OwnerReference`,
  `${CORE}.ObjectReference`,
  `${CORE}.LocalObjectReference`,
  `${CORE}.TypedLocalObjectReference`,
  `${CORE}.SecretReference`,
  `${CORE}.ConfigMapKeySelector`,
  `${CORE}.SecretKeySelector`,
  `${CORE}.ObjectFieldSelector`,
  `${CORE}.ResourceFieldSelector`,
  `${CORE}.NodeSelector`,
  `${CORE}.NodeSelectorTerm`,
  `${CORE}.TopologySelectorTerm`,
  "io.k8s.api.rbac.v1.RoleRef",
  "io.k8s.api.rbac.v1.Subject",
]);
