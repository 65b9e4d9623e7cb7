import { isRecord, type KubeObject } from "@atoll/kube";

/** The shapes of the workload API fields the controllers read; everything else passes through untouched. */
export type StringMap = Record<string, string>;

export type LabelSelectorRequirement = { key: string; operator: string; values?: string[] };

export type LabelSelector = { matchLabels?: StringMap; matchExpressions?: LabelSelectorRequirement[] };

export type Toleration = {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
};

export type NodeSelectorRequirement = { key: string; operator: string; values?: string[] };

export type NodeSelectorTerm = {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
};

export type Affinity = {
  nodeAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] };
    [field: string]: unknown;
  };
  [field: string]: unknown;
};

export type Volume = { name: string; persistentVolumeClaim?: { claimName: string; readOnly?: boolean } };

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
