import type { KubeObject } from "@atoll/kube";

/*
 * The input shapes the override renderer reads, with Karmada's field names
 * (policy.karmada.io/v1alpha1 OverrideSpec). They are declared here, not taken
 * from @atoll/api, so this folder stands alone until the policy API lands;
 * the API's types can replace these as long as the field names agree.
 */

/** Operators of every overrider; commandOverrider/argsOverrider accept only add and remove. */
export type OverriderOperator = "add" | "remove" | "replace";

export type LabelSelectorRequirement = {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: string[];
};

/** metav1.LabelSelector: both parts must match; an empty selector matches everything. */
export type LabelSelector = {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
};

/** A NodeSelectorRequirement over the member's fields `provider`, `region` and `zone`. */
export type FieldSelectorRequirement = {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt";
  values?: string[];
};

export type FieldSelector = { matchExpressions?: FieldSelectorRequirement[] };

/** Which members a rule applies to; every part that is set must match. */
export type ClusterAffinity = {
  labelSelector?: LabelSelector;
  fieldSelector?: FieldSelector;
  clusterNames?: string[];
  exclude?: string[];
};

/**
 * Which resource templates a policy applies to. `apiVersion` and `kind` must
 * equal the template's; `name`, when set, wins over `labelSelector`.
 */
export type ResourceSelector = {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name?: string;
  labelSelector?: LabelSelector;
};

export type ImageComponent = "Registry" | "Repository" | "Tag";

/**
 * Rewrites one part of image references: every container and initContainer of
 * a workload kind, or the single string at `predicate.path` (a JSON pointer).
 */
export type ImageOverrider = {
  predicate?: { path: string };
  component: ImageComponent;
  operator: OverriderOperator;
  value?: string;
};

/** Appends (`add`) or drops every occurrence of (`remove`) values in one container's command or args. */
export type CommandArgsOverrider = {
  containerName: string;
  operator: OverriderOperator;
  value?: string[];
};

/** Adds, replaces or removes keys of the template's own metadata.labels or metadata.annotations. */
export type LabelAnnotationOverrider = {
  operator: OverriderOperator;
  value?: Record<string, string>;
};

/** One JSON-patch operation (RFC 6902 add, remove or replace) at a JSON pointer. */
export type PlaintextOverrider = {
  path: string;
  operator: OverriderOperator;
  value?: unknown;
};

/** The overriders of one rule; they apply in the order of the fields below. */
export type Overriders = {
  imageOverrider?: ImageOverrider[];
  commandOverrider?: CommandArgsOverrider[];
  argsOverrider?: CommandArgsOverrider[];
  labelsOverrider?: LabelAnnotationOverrider[];
  annotationsOverrider?: LabelAnnotationOverrider[];
  plaintext?: PlaintextOverrider[];
};

/** A rule: overriders for the members `targetCluster` selects (all members when absent). */
export type RuleWithCluster = {
  targetCluster?: ClusterAffinity;
  overriders: Overriders;
};

export type OverrideSpec = {
  /** Absent or empty: the policy matches every resource, with the lowest implicit priority. */
  resourceSelectors?: ResourceSelector[];
  overrideRules?: RuleWithCluster[];
  /** Deprecated in Karmada: one rule spelled at the top level, read only when overrideRules is empty. */
  targetCluster?: ClusterAffinity;
  /** Deprecated in Karmada: see targetCluster. */
  overriders?: Overriders;
};

/** Namespaced: applies only to templates in its own namespace. */
export type OverridePolicy = KubeObject & { spec: OverrideSpec };

/** Cluster-scoped: applies to templates in every namespace and to cluster-scoped templates. */
export type ClusterOverridePolicy = KubeObject & { spec: OverrideSpec };
