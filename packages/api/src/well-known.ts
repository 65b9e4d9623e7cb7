/** Labels, annotations, finalizers and names every Atoll component shares. Defined once; referenced everywhere. */
export const AtollLabels = {
  /** On every object the hub creates in a member (what unjoin removes unless orphaning). */
  managedBy: "app.kubernetes.io/managed-by",
  /** Its value on objects the hub manages. */
  managedByValue: "atoll",
  /** On what the hub installs in a member but must outlive an unjoin (CRDs: deleting one deletes its objects). */
  keepOnUnjoin: "cluster.atoll.io/keep-on-unjoin",
  /** The member an object was placed on, on hub-side records. */
  member: "cluster.atoll.io/member",
} as const;

export const AtollAnnotations = {
  /** On a MemberCluster being deleted: "drain" (remove what the hub placed, the default) or "orphan" (leave it). */
  unjoinPolicy: "cluster.atoll.io/unjoin-policy",
} as const;

export const AtollFinalizers = {
  /** Held by a MemberCluster until what the hub placed in the member is removed. */
  memberCleanup: "cluster.atoll.io/cleanup",
} as const;

/** Taints the hub puts on MemberClusters (spec.taints), as Kubernetes' node lifecycle controller does on nodes. */
export const MemberTaints = {
  unreachable: "cluster.atoll.io/unreachable",
  notReady: "cluster.atoll.io/not-ready",
  unschedulable: "cluster.atoll.io/unschedulable",
  /**
   * Put by `atoll drain` (NoExecute): everything leaves the member — propagated
   * workloads are evicted, database replicas are moved to other members.
   */
  drain: "cluster.atoll.io/drain",
} as const;

/** Where the hub keeps member credentials, and what it installs in every member. */
export const AtollNamespaces = {
  /** Hub namespace for member kubeconfig Secrets created by `atoll join`. */
  hubSystem: "atoll-system",
  /** Member namespace for what Atoll's workloads need. */
  memberSystem: "atoll-system",
} as const;

/** The Secret type and key of a kubeconfig, as KubeBlocks' multi-cluster guide stores it. */
export const KUBECONFIG_SECRET = { type: "kubernetes.kubeconfig", key: "kubeconfig" } as const;

/** Prefix of the hub namespace holding the Works of one member: `atoll-es-<member>`. */
export const EXECUTION_NAMESPACE_PREFIX = "atoll-es-";

/** The execution namespace of a member, where its Works live. */
export function executionNamespace(member: string): string {
  return `${EXECUTION_NAMESPACE_PREFIX}${member}`;
}

/** The member an execution namespace belongs to, or undefined for any other namespace. */
export function memberOfExecutionNamespace(namespace: string): string | undefined {
  return namespace.startsWith(EXECUTION_NAMESPACE_PREFIX) &&
    namespace.length > EXECUTION_NAMESPACE_PREFIX.length
    ? namespace.slice(EXECUTION_NAMESPACE_PREFIX.length)
    : undefined;
}

/**
 * Labels linking templates, bindings, Works and member objects to what
 * produced them. Values are permanent ids (UUIDs, set once on the policy or
 * binding) because names can exceed the 63 characters a label value allows;
 * names go in PropagationAnnotations.
 */
export const PropagationLabels = {
  /** On templates and bindings claimed by a PropagationPolicy: its permanent id. */
  propagationPolicyId: "propagationpolicy.policy.atoll.io/permanent-id",
  /** On templates and bindings claimed by a ClusterPropagationPolicy: its permanent id. */
  clusterPropagationPolicyId: "clusterpropagationpolicy.policy.atoll.io/permanent-id",
  /** On Works and member objects of a ResourceBinding: its permanent id. */
  resourceBindingId: "resourcebinding.work.atoll.io/permanent-id",
  /** On Works and member objects of a ClusterResourceBinding: its permanent id. */
  clusterResourceBindingId: "clusterresourcebinding.work.atoll.io/permanent-id",
  /** On member objects: the permanent id of the Work that applied them. */
  workId: "work.atoll.io/permanent-id",
} as const;

/** Annotations naming what a template, binding, Work or member object came from. */
export const PropagationAnnotations = {
  /** On templates and bindings: the PropagationPolicy that claimed the template. */
  propagationPolicyName: "propagationpolicy.policy.atoll.io/name",
  propagationPolicyNamespace: "propagationpolicy.policy.atoll.io/namespace",
  /** On templates and bindings: the ClusterPropagationPolicy that claimed the template. */
  clusterPropagationPolicyName: "clusterpropagationpolicy.policy.atoll.io/name",
  /** On Works: the ResourceBinding they were rendered from. */
  resourceBindingName: "resourcebinding.work.atoll.io/name",
  resourceBindingNamespace: "resourcebinding.work.atoll.io/namespace",
  /** On Works: the ClusterResourceBinding they were rendered from. */
  clusterResourceBindingName: "clusterresourcebinding.work.atoll.io/name",
  /** On member objects: the Work that applied them. */
  workName: "work.atoll.io/name",
  workNamespace: "work.atoll.io/namespace",
  /**
   * On member objects: a digest of the manifest last applied. An object that
   * still contains its manifest but carries another digest is applied again:
   * the manifest may have dropped fields, which only an apply removes.
   */
  manifestDigest: "work.atoll.io/manifest-digest",
  /** On Works: the OverridePolicies applied, in order, as a JSON array of namespace/name. */
  appliedOverrides: "policy.atoll.io/applied-overrides",
  /** On Works: the ClusterOverridePolicies applied, in order, as a JSON array of names. */
  appliedClusterOverrides: "policy.atoll.io/applied-cluster-overrides",
} as const;

/** Finalizers of propagation: what must be cleaned up in members before an object may go. */
export const PropagationFinalizers = {
  /** On resource templates claimed by a policy: held until their copies are removed from members. */
  propagation: "policy.atoll.io/propagation",
  /** On Works: held until the member objects are deleted (or preserved). */
  execution: "work.atoll.io/execution",
} as const;
