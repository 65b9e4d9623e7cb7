/**
 * Well-known names the instance controller puts on hub Clusters and on the
 * objects it creates in members. Atoll's own label is separate from
 * `app.kubernetes.io/managed-by`, which KubeBlocks' tools expect to read
 * `kubeblocks` on an instance's pods.
 */
export const InstanceLabels = {
  /** On every member object of an instance: the hub Cluster's name (its namespace is the object's own). */
  cluster: "instances.atoll.io/cluster",
  /** On a replica's pod, and the selector of its pod services (KubeBlocks' name for it). */
  podName: "apps.kubeblocks.io/pod-name",
} as const;

export const InstanceAnnotations = {
  /**
   * On a hub Cluster: the member of each replica, by component, as JSON
   * (`{"etcd":["k8s-1","k8s-2","k8s-3"]}`, index = ordinal). Written once per
   * replica and never changed, so a replica and its PVC stay in their member.
   */
  replicaPlacement: "instances.atoll.io/replica-placement",
  /** On member objects: a digest of what was last applied, so unchanged objects are not re-sent. */
  appliedDigest: "instances.atoll.io/applied-digest",
  /**
   * On a replica's pod: a digest of what it was made from (the definition's
   * runtime, the component's resources and volume templates, its last restart
   * request) — not of its vars, which change with every scale. A pod whose
   * digest differs is rolled: re-created, one replica at a time.
   */
  templateDigest: "instances.atoll.io/template-digest",
  /**
   * On a hub Cluster, set by its user: "true" rebuilds a replica whose member
   * the hub has given up on (NoExecute unreachable/not-ready taint) in another
   * member, as a new engine member. Without it the replica waits for its member.
   */
  rebuildLostReplicas: "instances.atoll.io/rebuild-lost-replicas",
} as const;

/** Held by a hub Cluster until its member objects are cleaned up per its terminationPolicy. */
export const INSTANCE_FINALIZER = "instances.atoll.io/cleanup";

/** The field manager of every server-side apply into members. */
export const INSTANCE_FIELD_MANAGER = "atoll-instances";

/** Condition types the instance controller sets on a Cluster. */
export const InstanceConditions = {
  /** Every component's ComponentDefinition exists. */
  ComponentDefinitionsFound: "ComponentDefinitionsFound",
  /** Every replica has a member. */
  ReplicasPlaced: "ReplicasPlaced",
  /** Every member object could be written. */
  Applied: "Applied",
  /** True while a delete is refused (terminationPolicy DoNotTerminate). */
  DeletionRefused: "DeletionRefused",
} as const;

/** `<cluster>-<component>-<ordinal>`: a replica's pod. */
export function podName(cluster: string, component: string, ordinal: number): string {
  return `${cluster}-${component}-${ordinal}`;
}

/** `<cluster>-<component>-<service>-<ordinal>`: a replica's pod service. */
export function podServiceName(cluster: string, component: string, service: string, ordinal: number): string {
  return `${cluster}-${component}-${service}-${ordinal}`;
}

/** `<vct>-<pod>`: a replica's PVC for one volumeClaimTemplate. */
export function claimName(template: string, pod: string): string {
  return `${template}-${pod}`;
}
