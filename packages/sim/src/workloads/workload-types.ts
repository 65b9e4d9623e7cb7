import { isRecord, type KubeObject } from "@atoll/kube";

/** The shapes of the workload API fields the controllers read; everything else passes through untouched. */
export type StringMap = Record<string, string>;

/** metav1.LabelSelectorRequirement. */
export type LabelSelectorRequirement = { key: string; operator: string; values?: string[] };

/** metav1.LabelSelector. */
export type LabelSelector = { matchLabels?: StringMap; matchExpressions?: LabelSelectorRequirement[] };

/** core/v1 Toleration. */
export type Toleration = {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
};

/** core/v1 NodeSelectorRequirement (labels for matchExpressions, fields for matchFields). */
export type NodeSelectorRequirement = { key: string; operator: string; values?: string[] };

/** core/v1 NodeSelectorTerm: all its requirements must hold. */
export type NodeSelectorTerm = {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
};

/** The part of core/v1 Affinity the controllers read and write. */
export type Affinity = {
  nodeAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] };
    [field: string]: unknown;
  };
  [field: string]: unknown;
};

/** A pod volume, as far as claims are concerned. */
export type Volume = { name: string; persistentVolumeClaim?: { claimName: string; readOnly?: boolean } };

/** The pod spec fields the controllers read or set; the rest passes through. */
export type PodSpec = {
  nodeName?: string;
  nodeSelector?: StringMap;
  affinity?: Affinity;
  tolerations?: Toleration[];
  volumes?: Volume[];
  hostname?: string;
  subdomain?: string;
  hostNetwork?: boolean;
  containers?: Array<{ name: string; env?: unknown[]; [field: string]: unknown }>;
  [field: string]: unknown;
};

/** core/v1 PodTemplateSpec. */
export type PodTemplate = {
  metadata?: { labels?: StringMap; annotations?: StringMap; finalizers?: string[]; [field: string]: unknown };
  spec?: PodSpec;
};

/** A status condition; Deployments add `lastUpdateTime`, Jobs `lastProbeTime`. */
export type Condition = {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  lastProbeTime?: string;
};

/** The pod status fields the controllers read. */
export type PodStatus = {
  phase?: string;
  conditions?: Condition[];
  containerStatuses?: Array<{ restartCount?: number }>;
  [field: string]: unknown;
};

/** `object.spec` (or `{}`), viewed as T. */
export function specOf<T>(object: KubeObject): T {
  return (isRecord(object.spec) ? object.spec : {}) as T;
}

/** `object.status` (or `{}`), viewed as T. */
export function statusOf<T>(object: KubeObject): T {
  return (isRecord(object.status) ? object.status : {}) as T;
}

/** A non-negative integer field, or `fallback` when it is missing or malformed (Kubernetes' defaulting). */
export function intOr(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? Math.trunc(value) : fallback;
}
