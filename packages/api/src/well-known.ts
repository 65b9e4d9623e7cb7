/** Labels, annotations, finalizers and names every Atoll component shares. Defined once; referenced everywhere. */
export const AtollLabels = {
  /** On every object the hub creates in a member (what unjoin removes unless orphaning). */
  managedBy: "app.kubernetes.io/managed-by",
  /** Its value on objects the hub manages. */
  managedByValue: "atoll",
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
