import { PropagationAnnotations, PropagationLabels } from "@atoll/api";
import type { KubeObject } from "@atoll/kube";
import { cloneJson, isRecord } from "@atoll/kube";

/** Metadata the hub's API server set on the template; a member sets its own. */
const SERVER_SET_METADATA = [
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "managedFields",
  "ownerReferences",
  "finalizers",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "selfLink",
] as const;

/** kubectl's record of the last applied configuration: about the hub's object, meaningless in a member. */
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/** How a claimed template is marked at the hub; the marks say nothing about the member's copy. */
const CLAIM_LABELS = new Set<string>(Object.values(PropagationLabels));
const CLAIM_ANNOTATIONS = new Set<string>([...Object.values(PropagationAnnotations), LAST_APPLIED]);

/** Labels the hub's API server put on a Job's pod template when it generated the Job's selector. */
const GENERATED_JOB_LABELS = [
  "batch.kubernetes.io/controller-uid",
  "batch.kubernetes.io/job-name",
  "controller-uid",
  "job-name",
];

/**
 * A copy of a hub object fit to be created in a member: without status,
 * without what the hub's API server set (identity, versions, ownership,
 * deletion state), without Atoll's claim marks, and without the per-kind
 * fields the hub allocated that a member must allocate itself (a Service's
 * cluster IPs, a generated Job selector, a bound volume, a scheduled node,
 * a ServiceAccount's token Secrets).
 * The input is not modified.
 */
export function cleanManifest(object: KubeObject): KubeObject {
  const { status: _status, ...rest } = cloneJson(object);
  const copy: KubeObject = rest;
  const metadata = copy.metadata;
  for (const field of SERVER_SET_METADATA) delete metadata[field];
  metadata.labels = without(metadata.labels, CLAIM_LABELS);
  metadata.annotations = without(metadata.annotations, CLAIM_ANNOTATIONS);
  if (!metadata.labels) delete metadata.labels;
  if (!metadata.annotations) delete metadata.annotations;
  if (isRecord(copy.spec)) cleanSpec(copy.kind ?? "", copy.spec);
  // A ServiceAccount lists its token Secrets outside spec; the member mints its own.
  if (copy.kind === "ServiceAccount") delete copy.secrets;
  return copy;
}

function cleanSpec(kind: string, spec: Record<string, unknown>): void {
  switch (kind) {
    case "Service":
      // A headless Service stays headless; any other cluster IP came from the hub's range.
      if (spec.clusterIP !== "None") {
        delete spec.clusterIP;
        delete spec.clusterIPs;
      }
      delete spec.healthCheckNodePort;
      return;
    case "Job":
      if (spec.manualSelector === true) return;
      delete spec.selector;
      dropTemplateLabels(spec, GENERATED_JOB_LABELS);
      return;
    case "PersistentVolumeClaim":
      delete spec.volumeName;
      return;
    case "Pod":
      delete spec.nodeName;
      return;
  }
}

function dropTemplateLabels(spec: Record<string, unknown>, keys: readonly string[]): void {
  const template = isRecord(spec.template) ? spec.template : undefined;
  const metadata = template && isRecord(template.metadata) ? template.metadata : undefined;
  if (!metadata || !isRecord(metadata.labels)) return;
  for (const key of keys) delete metadata.labels[key];
  if (Object.keys(metadata.labels).length === 0) delete metadata.labels;
}

function without(
  map: Record<string, string> | undefined,
  drop: ReadonlySet<string>,
): Record<string, string> | undefined {
  if (!map) return undefined;
  const kept = Object.entries(map).filter(([key]) => !drop.has(key));
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}
