import { type Clock, cloneJson, type KubeClient, type KubeObject, R, StatusError } from "@atoll/kube";
import { completionIndexOf } from "./job-indexes.ts";
import { generatedPodLabels } from "./job-selector.ts";
import { controllerRefTo } from "./owner.ts";
import { deletionOrder } from "./pod-ranking.ts";
import { isPodTerminating, podPhase, podReadySince } from "./pod-state.ts";
import { podFromTemplate, podNamePrefix } from "./pod-template.ts";
import {
  JOB_TRACKING_FINALIZER,
  WorkloadAnnotations,
  WorkloadControllerNames,
  WorkloadLabels,
} from "./well-known.ts";
import {
  type Condition,
  intOr,
  type LabelSelector,
  type PodSpec,
  type PodTemplate,
  specOf,
} from "./workload-types.ts";

const NAME = WorkloadControllerNames.job;

/** The Job spec fields the controller reads (see `jobSettings` for their defaults). */
export type JobSpec = {
  parallelism?: number;
  completions?: number | null;
  activeDeadlineSeconds?: number;
  backoffLimit?: number;
  selector?: LabelSelector;
  manualSelector?: boolean;
  template?: PodTemplate;
  ttlSecondsAfterFinished?: number;
  completionMode?: string;
  suspend?: boolean;
  podReplacementPolicy?: string;
};

/** A Job status as the controller reads and writes it. */
export type JobStatus = {
  conditions?: Condition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  succeeded?: number;
  failed?: number;
  terminating?: number;
  ready?: number;
  completedIndexes?: string;
  uncountedTerminatedPods?: { succeeded?: string[]; failed?: string[] };
};

/** The Job's spec with Kubernetes' defaults filled in where the API server left fields unset. */
export function jobSettings(job: KubeObject) {
  const spec = specOf<JobSpec>(job);
  const bothUnset = spec.completions == null && spec.parallelism == null;
  return {
    parallelism: intOr(spec.parallelism, 1),
    /** undefined: a work queue, done when any pod succeeds and none is left running. */
    completions: bothUnset ? 1 : spec.completions == null ? undefined : intOr(spec.completions, 1),
    backoffLimit: intOr(spec.backoffLimit, 6),
    indexed: spec.completionMode === "Indexed",
    suspended: spec.suspend === true,
    onlyReplaceFailed: spec.podReplacementPolicy === "Failed",
    activeDeadlineSeconds: spec.activeDeadlineSeconds,
    ttlSecondsAfterFinished: spec.ttlSecondsAfterFinished,
  };
}

/** The pod still carries `batch.kubernetes.io/job-tracking`: it has not been counted yet. */
export const hasTrackingFinalizer = (pod: KubeObject) =>
  (pod.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);

/** A pod that counts as failed (`isPodFailed`): Failed, or deleted before succeeding unless only Failed pods are replaced. */
export function isJobPodFailed(pod: KubeObject, onlyReplaceFailed: boolean): boolean {
  if (podPhase(pod) === "Failed") return true;
  if (onlyReplaceFailed) return false;
  return isPodTerminating(pod) && podPhase(pod) !== "Succeeded";
}

/**
 * A new pod for the Job: the template with the generated selector's labels,
 * the tracking finalizer (so the pod is counted before it can disappear),
 * and for an Indexed Job its completion index as annotation, label,
 * `JOB_COMPLETION_INDEX` variable and hostname `<job>-<index>`.
 */
export function newJobPod(job: KubeObject, index: number | undefined): KubeObject {
  const template: PodTemplate = cloneJson(specOf<JobSpec>(job).template ?? {});
  template.metadata ??= {};
  const metadata = template.metadata;
  metadata.labels = { ...generatedPodLabels(job), ...metadata.labels };
  metadata.finalizers = [
    ...(metadata.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER),
    JOB_TRACKING_FINALIZER,
  ];
  let generateName = podNamePrefix(job.metadata.name ?? "");
  if (index !== undefined) {
    const value = String(index);
    metadata.annotations = { ...metadata.annotations, [WorkloadAnnotations.jobCompletionIndex]: value };
    metadata.labels[WorkloadLabels.jobCompletionIndex] = value;
    template.spec ??= {};
    const spec: PodSpec = template.spec;
    spec.hostname = `${job.metadata.name}-${index}`;
    const fieldPath = `metadata.annotations['${WorkloadAnnotations.jobCompletionIndex}']`;
    for (const list of [spec.containers, spec.initContainers as PodSpec["containers"]]) {
      for (const container of list ?? []) {
        const env = (container.env ?? []).filter(
          (e) => (e as { name?: string }).name !== "JOB_COMPLETION_INDEX",
        );
        container.env = [
          ...env,
          { name: "JOB_COMPLETION_INDEX", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath } } },
        ];
      }
    }
    generateName = `${job.metadata.name}-${index}-`;
  }
  return podFromTemplate(template, {
    namespace: job.metadata.namespace,
    generateName,
    controllerRef: controllerRefTo(job, R.jobs),
  });
}

/**
 * The active pods to delete to get down to `keep` (`activePodsForRemoval`):
 * for an Indexed Job first those with a missing, out-of-range or duplicate
 * index, then the least advanced (unscheduled, pending, not ready, newest).
 */
export function podsForRemoval(
  active: KubeObject[],
  keep: number,
  indexed: boolean,
  completions: number,
): KubeObject[] {
  const order = [...active].sort(deletionOrder());
  const remove: KubeObject[] = [];
  let left = order;
  if (indexed) {
    const seen = new Set<number>();
    left = [];
    for (const pod of [...order].reverse()) {
      const index = completionIndexOf(pod);
      if (index < 0 || index >= completions || seen.has(index)) remove.push(pod);
      else {
        seen.add(index);
        left.unshift(pod);
      }
    }
  }
  const more = Math.max(0, left.length - Math.max(keep, 0));
  return [...remove, ...left.slice(0, more)];
}

/** Removes the tracking finalizer, guarded by a test so a concurrent change is not overwritten. */
export async function removeTrackingFinalizer(client: KubeClient, pod: KubeObject): Promise<void> {
  const at = (pod.metadata.finalizers ?? []).indexOf(JOB_TRACKING_FINALIZER);
  if (at < 0) return;
  const path = `/metadata/finalizers/${at}`;
  const patch = [
    { op: "test", path, value: JOB_TRACKING_FINALIZER },
    { op: "remove", path },
  ];
  try {
    await client.patch(R.pods, pod.metadata.namespace, pod.metadata.name ?? "", "json", patch, {
      fieldManager: NAME,
    });
  } catch (error) {
    if (!(error instanceof StatusError && error.reason === "NotFound")) throw error;
  }
}

/**
 * Per-Job pod-failure back-off (`backoffRecord`): after the n-th failure
 * since the last success, new pods wait `initialMs × 2^(n-1)`, at most `maxMs`,
 * from that failure.
 */
export class JobBackoff {
  #records = new Map<string, { failures: number; lastFailure: number }>();
  #clock: Clock;
  #initialMs: number;
  #maxMs: number;

  constructor(options: { clock: Clock; initialMs?: number; maxMs?: number }) {
    this.#clock = options.clock;
    this.#initialMs = options.initialMs ?? 10_000;
    this.#maxMs = options.maxMs ?? 360_000;
  }

  record(key: string, succeeded: KubeObject[], failed: KubeObject[]): void {
    if (succeeded.length > 0) this.#records.delete(key);
    if (failed.length === 0) return;
    const record = this.#records.get(key) ?? { failures: 0, lastFailure: 0 };
    const now = this.#clock.now().getTime();
    const finished = failed.map((pod) => finishTime(pod) ?? now);
    this.#records.set(key, {
      failures: record.failures + failed.length,
      lastFailure: Math.max(record.lastFailure, ...finished),
    });
  }

  /** Milliseconds before the Job may create pods again (0: now). */
  remainingMs(key: string): number {
    const record = this.#records.get(key);
    if (!record || record.failures === 0 || this.#initialMs <= 0) return 0;
    const delay = Math.min(this.#initialMs * 2 ** (record.failures - 1), this.#maxMs);
    return Math.max(0, record.lastFailure + delay - this.#clock.now().getTime());
  }

  forget(key: string): void {
    this.#records.delete(key);
  }
}

/** When the pod stopped: the Ready condition's last transition, or its deletion. */
function finishTime(pod: KubeObject): number | undefined {
  const conditions = (pod.status as { conditions?: Condition[] } | undefined)?.conditions ?? [];
  const ready = conditions.find((c) => c.type === "Ready")?.lastTransitionTime;
  const at = Date.parse(ready ?? pod.metadata.deletionTimestamp ?? "");
  return Number.isNaN(at) || podReadySince(pod) ? undefined : at;
}
