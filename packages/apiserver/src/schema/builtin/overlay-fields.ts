/**
 * Hand-written corrections applied by the generator on top of the
 * `kubernetes-types` 1.30 declarations, to reach the Kubernetes 1.32 API:
 * fields and types added or removed since, float fields, requiredness changes
 * and simple enums. Keys are `<OpenAPI definition name>.<field>`.
 */
import type { Shape } from "../shape.ts";

const CORE = "io.k8s.api.core.v1";
const APPS = "io.k8s.api.apps.v1";
const BATCH = "io.k8s.api.batch.v1";
const CRD = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1";

const string: Shape = { type: "scalar", scalar: "string" };
const boolean: Shape = { type: "scalar", scalar: "boolean" };
const integer: Shape = { type: "scalar", scalar: "integer" };
const ref = (name: string): Shape => ({ type: "ref", name });
const atomicList = (items: Shape): Shape => ({ type: "list", items, listType: "atomic" });

/** Fields added after 1.30, by definition. List semantics of added lists come from `overlay-lists.ts`. */
export const addedFields: Readonly<Record<string, Readonly<Record<string, Shape>>>> = {
  [`${CORE}.PodSpec`]: { resources: ref(`${CORE}.ResourceRequirements`) },
  [`${CORE}.PodSecurityContext`]: { supplementalGroupsPolicy: string, seLinuxChangePolicy: string },
  [`${CORE}.Volume`]: { image: ref(`${CORE}.ImageVolumeSource`) },
  [`${CORE}.PodResourceClaim`]: { resourceClaimName: string, resourceClaimTemplateName: string },
  [`${CORE}.ResourceClaim`]: { request: string },
  [`${CORE}.ContainerStatus`]: {
    user: ref(`${CORE}.ContainerUser`),
    allocatedResourcesStatus: atomicList(ref(`${CORE}.ResourceStatus`)),
  },
  [`${CORE}.NodeStatus`]: { features: ref(`${CORE}.NodeFeatures`) },
  [`${CORE}.NodeRuntimeHandlerFeatures`]: { userNamespaces: boolean },
  "io.k8s.api.coordination.v1.LeaseSpec": { strategy: string, preferredHolder: string },
  [`${CRD}.JSONSchemaProps`]: {
    "x-kubernetes-embedded-resource": boolean,
    "x-kubernetes-int-or-string": boolean,
    "x-kubernetes-list-map-keys": atomicList(string),
    "x-kubernetes-list-type": string,
    "x-kubernetes-map-type": string,
    "x-kubernetes-preserve-unknown-fields": boolean,
    "x-kubernetes-validations": atomicList(ref(`${CRD}.ValidationRule`)),
  },
};

/** Definitions that `kubernetes-types` 1.30 lacks. */
export const addedDefinitions: Readonly<Record<string, Shape>> = {
  [`${CORE}.ImageVolumeSource`]: { type: "struct", fields: { reference: string, pullPolicy: string } },
  [`${CORE}.ContainerUser`]: { type: "struct", fields: { linux: ref(`${CORE}.LinuxContainerUser`) } },
  [`${CORE}.LinuxContainerUser`]: {
    type: "struct",
    fields: { uid: integer, gid: integer, supplementalGroups: atomicList(integer) },
    required: ["uid", "gid"],
  },
  [`${CORE}.ResourceStatus`]: {
    type: "struct",
    fields: { name: string, resources: atomicList(ref(`${CORE}.ResourceHealth`)) },
    required: ["name"],
  },
  [`${CORE}.ResourceHealth`]: {
    type: "struct",
    fields: { resourceID: string, health: string },
    required: ["resourceID"],
  },
  [`${CORE}.NodeFeatures`]: { type: "struct", fields: { supplementalGroupsPolicy: boolean } },
};

/** Fields removed before 1.32 (the DRA `source` indirection went in 1.31). */
export const removedFields: ReadonlySet<string> = new Set([`${CORE}.PodResourceClaim.source`]);

/** Fields that became required after 1.30. */
export const newlyRequired: ReadonlySet<string> = new Set([
  `${CORE}.HostAlias.ip`,
  `${CORE}.HostIP.ip`,
  `${CORE}.PodIP.ip`,
]);

/** `number` fields that are floating point; every other `number` is an integer. */
export const floatFields: ReadonlySet<string> = new Set([
  `${CRD}.JSONSchemaProps.maximum`,
  `${CRD}.JSONSchemaProps.minimum`,
  `${CRD}.JSONSchemaProps.multipleOf`,
]);

const PROTOCOL = ["SCTP", "TCP", "UDP"];
const PULL_POLICY = ["Always", "IfNotPresent", "Never"];
const MESSAGE_POLICY = ["FallbackToLogsOnError", "File"];
const TAINT_EFFECT = ["NoExecute", "NoSchedule", "PreferNoSchedule"];
const RECLAIM_POLICY = ["Delete", "Recycle", "Retain"];
const PROFILE_TYPE = ["Localhost", "RuntimeDefault", "Unconfined"];
const UPDATE_STRATEGY = ["OnDelete", "RollingUpdate"];
const TRAFFIC_POLICY = ["Cluster", "Local"];
const VOLUME_MODE = ["Block", "Filesystem"];

/** Closed value sets of string fields (Kubernetes' `+enum` types), where they are simple and stable. */
export const enums: Readonly<Record<string, readonly string[]>> = {
  [`${CORE}.Container.imagePullPolicy`]: PULL_POLICY,
  [`${CORE}.EphemeralContainer.imagePullPolicy`]: PULL_POLICY,
  [`${CORE}.Container.terminationMessagePolicy`]: MESSAGE_POLICY,
  [`${CORE}.EphemeralContainer.terminationMessagePolicy`]: MESSAGE_POLICY,
  [`${CORE}.ContainerPort.protocol`]: PROTOCOL,
  [`${CORE}.ServicePort.protocol`]: PROTOCOL,
  [`${CORE}.EndpointPort.protocol`]: PROTOCOL,
  "io.k8s.api.discovery.v1.EndpointPort.protocol": PROTOCOL,
  [`${CORE}.PodSpec.restartPolicy`]: ["Always", "Never", "OnFailure"],
  [`${CORE}.PodSpec.dnsPolicy`]: ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"],
  [`${CORE}.PodSpec.preemptionPolicy`]: ["Never", "PreemptLowerPriority"],
  [`${CORE}.PodStatus.phase`]: ["Failed", "Pending", "Running", "Succeeded", "Unknown"],
  [`${CORE}.PodStatus.qosClass`]: ["BestEffort", "Burstable", "Guaranteed"],
  [`${CORE}.ServiceSpec.type`]: ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"],
  [`${CORE}.ServiceSpec.sessionAffinity`]: ["ClientIP", "None"],
  [`${CORE}.ServiceSpec.externalTrafficPolicy`]: TRAFFIC_POLICY,
  [`${CORE}.ServiceSpec.internalTrafficPolicy`]: TRAFFIC_POLICY,
  [`${CORE}.ServiceSpec.ipFamilyPolicy`]: ["PreferDualStack", "RequireDualStack", "SingleStack"],
  [`${CORE}.Toleration.operator`]: ["Equal", "Exists"],
  [`${CORE}.Toleration.effect`]: TAINT_EFFECT,
  [`${CORE}.Taint.effect`]: TAINT_EFFECT,
  [`${CORE}.NodeSelectorRequirement.operator`]: ["DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"],
  [`${CORE}.TopologySpreadConstraint.whenUnsatisfiable`]: ["DoNotSchedule", "ScheduleAnyway"],
  [`${CORE}.TopologySpreadConstraint.nodeAffinityPolicy`]: ["Honor", "Ignore"],
  [`${CORE}.TopologySpreadConstraint.nodeTaintsPolicy`]: ["Honor", "Ignore"],
  [`${CORE}.PersistentVolumeClaimSpec.volumeMode`]: VOLUME_MODE,
  [`${CORE}.PersistentVolumeSpec.volumeMode`]: VOLUME_MODE,
  [`${CORE}.PersistentVolumeSpec.persistentVolumeReclaimPolicy`]: RECLAIM_POLICY,
  [`${CORE}.PersistentVolumeClaimStatus.phase`]: ["Bound", "Lost", "Pending"],
  [`${CORE}.PersistentVolumeStatus.phase`]: ["Available", "Bound", "Failed", "Pending", "Released"],
  [`${CORE}.NamespaceStatus.phase`]: ["Active", "Terminating"],
  [`${CORE}.VolumeMount.mountPropagation`]: ["Bidirectional", "HostToContainer", "None"],
  [`${CORE}.VolumeMount.recursiveReadOnly`]: ["Disabled", "Enabled", "IfPossible"],
  [`${CORE}.HTTPGetAction.scheme`]: ["HTTP", "HTTPS"],
  [`${CORE}.SeccompProfile.type`]: PROFILE_TYPE,
  [`${CORE}.AppArmorProfile.type`]: PROFILE_TYPE,
  [`${CORE}.SecurityContext.procMount`]: ["Default", "Unmasked"],
  [`${CORE}.PodSecurityContext.fsGroupChangePolicy`]: ["Always", "OnRootMismatch"],
  [`${CORE}.PodSecurityContext.supplementalGroupsPolicy`]: ["Merge", "Strict"],
  [`${APPS}.DeploymentStrategy.type`]: ["Recreate", "RollingUpdate"],
  [`${APPS}.StatefulSetSpec.podManagementPolicy`]: ["OrderedReady", "Parallel"],
  [`${APPS}.StatefulSetUpdateStrategy.type`]: UPDATE_STRATEGY,
  [`${APPS}.DaemonSetUpdateStrategy.type`]: UPDATE_STRATEGY,
  [`${BATCH}.JobSpec.completionMode`]: ["Indexed", "NonIndexed"],
  [`${BATCH}.JobSpec.podReplacementPolicy`]: ["Failed", "TerminatingOrFailed"],
  [`${BATCH}.PodFailurePolicyRule.action`]: ["Count", "FailIndex", "FailJob", "Ignore"],
  [`${BATCH}.PodFailurePolicyOnExitCodesRequirement.operator`]: ["In", "NotIn"],
  "io.k8s.api.storage.v1.StorageClass.reclaimPolicy": RECLAIM_POLICY,
  "io.k8s.api.storage.v1.StorageClass.volumeBindingMode": ["Immediate", "WaitForFirstConsumer"],
  "io.k8s.api.discovery.v1.EndpointSlice.addressType": ["FQDN", "IPv4", "IPv6"],
};
