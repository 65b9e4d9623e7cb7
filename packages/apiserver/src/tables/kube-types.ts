/**
 * The parts of Kubernetes objects the printers read. Every field is optional:
 * printers show what is there and fall back as kube-apiserver's defaults would.
 */

export type ObjectMeta = {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion?: string; kind?: string; name?: string; controller?: boolean }[];
};

export type Container = { name?: string; image?: string; restartPolicy?: string };

export type PodTemplateSpec = {
  metadata?: ObjectMeta;
  spec?: { containers?: Container[]; initContainers?: Container[]; nodeSelector?: Record<string, string> };
};

export type LabelSelectorObject = {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
};

export type Condition = { type?: string; status?: string; reason?: string; message?: string };

/** Any object, seen only through its metadata. */
export type KubeObject = { metadata?: ObjectMeta };
