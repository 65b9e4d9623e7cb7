import { jsonEqual, type KubeObject, R } from "@atoll/kube";
import { ensureJobCondition, hasTrueCondition, JobReasons, jobCondition } from "./job-conditions.ts";
import { completionIndexOf, formatIndexes, parseIndexes } from "./job-indexes.ts";
import { isJobPodFailed, type JobStatus, removeTrackingFinalizer } from "./job-pods.ts";
import type { JobSyncDeps, JobView } from "./job-sync.ts";
import { isPodReady, podPhase } from "./pod-state.ts";
import { omitZero } from "./status-fields.ts";
import { JOB_TRACKING_FINALIZER, WorkloadControllerNames } from "./well-known.ts";
import type { Condition } from "./workload-types.ts";

const NAME = WorkloadControllerNames.job;

export type TrackingState = {
  active: KubeObject[];
  terminating: number;
  /** SuccessCriteriaMet or FailureTarget when the Job is finishing. */
  finished: Condition | undefined;
  needsFlush: boolean;
  now: Date;
};

/**
 * Counts finished pods exactly once and finishes the Job
 * (`trackJobStatusAndRemoveFinalizers`): finished pods still holding the
 * tracking finalizer are first recorded in `status.uncountedTerminatedPods`
 * (written before anything else), then released, then moved into
 * `succeeded`/`failed` (or `completedIndexes`). Once nothing is left
 * uncounted or terminating, SuccessCriteriaMet becomes Complete and
 * FailureTarget becomes Failed.
 */
export async function trackAndFinish(
  deps: JobSyncDeps,
  key: string,
  job: KubeObject,
  view: JobView,
  state: TrackingState,
): Promise<void> {
  const { status, uncounted, settings } = view;
  const { finished, now } = state;
  const ready = state.active.filter(isPodReady).length;
  let needsFlush =
    state.needsFlush ||
    state.active.length !== (status.active ?? 0) ||
    ready !== status.ready ||
    state.terminating !== status.terminating;
  status.active = state.active.length;
  status.ready = ready;
  status.terminating = state.terminating;

  const counting = countFinished(job, view, finished);
  needsFlush ||=
    counting.counted.succeeded.length + counting.counted.failed.length + counting.newIndexes.length > 0;
  if (settings.indexed) {
    const text = formatIndexes([...view.previousIndexes, ...counting.newIndexes]);
    needsFlush ||= text !== (status.completedIndexes ?? "");
    status.completedIndexes = text;
    status.succeeded = parseIndexes(text, settings.completions ?? 0).size;
  }
  for (const type of ["FailureTarget", "SuccessCriteriaMet"]) {
    if (finished?.type === type && !hasTrueCondition(status.conditions, type)) {
      status.conditions = [...(status.conditions ?? []), finished];
      needsFlush = true;
    }
  }
  status.uncountedTerminatedPods = uncounted;
  const writer = new StatusWriter(deps, job);
  if (needsFlush) await writer.write(status);
  deps.backoff.record(key, counting.counted.succeeded, counting.counted.failed);

  const released = new Set<string>();
  for (const pod of counting.toRelease) {
    await removeTrackingFinalizer(deps.client, pod);
    deps.expectations.expectFinalizerRemoval(key, pod, JOB_TRACKING_FINALIZER);
    released.add(pod.metadata.uid ?? "");
  }
  const holding = new Set(view.tracked.map((p) => p.metadata.uid ?? "").filter((uid) => !released.has(uid)));
  const keep = (uid: string) => holding.has(uid);
  if (!settings.indexed)
    status.succeeded = (status.succeeded ?? 0) + uncounted.succeeded.filter((u) => !keep(u)).length;
  status.failed = (status.failed ?? 0) + uncounted.failed.filter((u) => !keep(u)).length;
  uncounted.succeeded = uncounted.succeeded.filter(keep);
  uncounted.failed = uncounted.failed.filter(keep);

  if (!finished || uncounted.succeeded.length + uncounted.failed.length > 0 || state.terminating > 0) {
    await writer.write(status);
    return;
  }
  const final =
    finished.type === "SuccessCriteriaMet"
      ? jobCondition("Complete", "True", ...JobReasons.completionsReached, now)
      : jobCondition("Failed", "True", finished.reason ?? "", finished.message ?? "", now);
  status.conditions = ensureJobCondition(status.conditions, final).conditions;
  if (final.type === "Complete") status.completionTime = final.lastTransitionTime;
  await writer.write(status);
  if (final.type === "Complete") deps.events.event(job, "Normal", "Completed", "Job completed");
  else deps.events.event(job, "Warning", final.reason ?? "", final.message ?? "");
}

/**
 * Which tracked pods can be released now (finished, or the Job is finishing
 * or being deleted) and which of them are newly counted: as succeeded (by
 * uid, or by completion index for an Indexed Job) or as failed (failed pods,
 * and every unfinished pod of a failing Job).
 */
function countFinished(job: KubeObject, view: JobView, finished: Condition | undefined) {
  const { uncounted, settings } = view;
  const toRelease: KubeObject[] = [];
  const newIndexes: number[] = [];
  const counted = { succeeded: [] as KubeObject[], failed: [] as KubeObject[] };
  const failing = finished !== undefined && finished.type !== "SuccessCriteriaMet";
  for (const pod of view.tracked) {
    const uid = pod.metadata.uid ?? "";
    const failed = isJobPodFailed(pod, settings.onlyReplaceFailed);
    const succeeded = podPhase(pod) === "Succeeded";
    if (!(job.metadata.deletionTimestamp || finished || succeeded || failed)) continue;
    toRelease.push(pod);
    if (succeeded && !uncounted.failed.includes(uid)) {
      const index = completionIndexOf(pod);
      if (!settings.indexed && !uncounted.succeeded.includes(uid)) {
        uncounted.succeeded.push(uid);
        counted.succeeded.push(pod);
      } else if (settings.indexed && view.validIndex(pod) && !view.previousIndexes.has(index)) {
        newIndexes.push(index);
      }
    } else if ((failed || failing) && !uncounted.failed.includes(uid) && view.validIndex(pod)) {
      uncounted.failed.push(uid);
      counted.failed.push(pod);
    }
  }
  return { toRelease, newIndexes, counted };
}

/** Writes the Job's status when it differs from what was last written, carrying the newest resourceVersion. */
class StatusWriter {
  #deps: JobSyncDeps;
  #current: KubeObject;

  constructor(deps: JobSyncDeps, job: KubeObject) {
    this.#deps = deps;
    this.#current = job;
  }

  async write(status: JobStatus): Promise<void> {
    const next = statusForWrite(status);
    if (jsonEqual(next, this.#current.status ?? {})) return;
    this.#current = await this.#deps.client.update(
      R.jobs,
      this.#current.metadata.namespace,
      { ...this.#current, status: next },
      { subresource: "status", fieldManager: NAME },
    );
  }
}

/** Zero counters omitted, as Kubernetes writes them; `ready`, `terminating` and `uncountedTerminatedPods` always present. */
function statusForWrite(status: JobStatus): Record<string, unknown> {
  const { ready, terminating, uncountedTerminatedPods, ...rest } = status;
  const uncounted = omitZero({ ...uncountedTerminatedPods });
  return {
    ...omitZero(rest),
    ready: ready ?? 0,
    terminating: terminating ?? 0,
    uncountedTerminatedPods: uncounted,
  };
}
