/**
 * Well-known names of KubeBlocks' `apps.kubeblocks.io` API, as KubeBlocks 0.9
 * spells them, so manifests and tools written for KubeBlocks work on Atoll.
 */

export const KUBEBLOCKS_GROUP = "apps.kubeblocks.io";
export const KUBEBLOCKS_VERSION = "v1alpha1";

/** Annotations a user puts on a Cluster (placement) or on one of its component services (service placement). */
export const KubeBlocksAnnotations = {
  /** On a Cluster: comma-separated member names to spread replicas over; absent means any eligible member. */
  multiClusterPlacement: "apps.kubeblocks.io/multi-cluster-placement",
  /** On a component service (`componentSpecs[].services[].annotations`): a ServicePlacement. */
  multiClusterServicePlacement: "apps.kubeblocks.io/multi-cluster-service-placement",
} as const;

/** Values of the multi-cluster-service-placement annotation. */
export const ServicePlacements = {
  /** A pod service lives only in the member of its pod (needed when members reach each other by LoadBalancer). */
  unique: "unique",
  /** Every service lives in every member of the placement: the default. */
  mirror: "mirror",
} as const;
export type ServicePlacement = (typeof ServicePlacements)[keyof typeof ServicePlacements];

/** Labels KubeBlocks puts on the pods, PVCs and services of an instance. */
export const KubeBlocksLabels = {
  /** The Cluster's name. */
  instance: "app.kubernetes.io/instance",
  /** Always KUBEBLOCKS_MANAGED_BY on what an instance owns. */
  managedBy: "app.kubernetes.io/managed-by",
  /** The component (`componentSpecs[].name`). */
  componentName: "apps.kubeblocks.io/component-name",
  /** The replica's current role, as its role probe reported it (e.g. leader, follower). */
  role: "kubeblocks.io/role",
} as const;

/** The `app.kubernetes.io/managed-by` value on objects of a KubeBlocks instance. */
export const KUBEBLOCKS_MANAGED_BY = "kubeblocks";

/** The categories KubeBlocks registers its namespaced kinds in (`kubectl get kubeblocks`). */
export const KUBEBLOCKS_CATEGORY = "kubeblocks";
