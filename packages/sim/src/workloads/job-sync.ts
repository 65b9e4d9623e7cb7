import { type Clock, jsonEqual, type KubeClient, type KubeObject, rfc3339, StatusError } from "@atoll/kube";
import type { EventRecorder } from "../events/recorder.ts";
import { R } from "../resources.ts";
import type { Expectations } from "./expectations.ts";
import { ensureJobCondition, hasTrueCondition, JobReasons, jobCondition } from "./job-conditions.ts";
import { completionIndexOf, firstPendingIndexes, formatIndexes, parseIndexes } from "./job-indexes.ts";
import {
  hasTrackingFinalizer,
  isJobPodFailed,
  type JobBackoff,
  type JobStatus,
  jobSettings,
  newJobPod,
  podsForRemoval,
  removeTrackingFinalizer,
} from "./job-pods.ts";
import { isPodActive, isPodReady, isPodTerminal, isPodTerminating, podPhase } from "./pod-state.ts";
import { slowStartBatch } from "./replicaset-controller.ts";
import { omitZero } from "./status-fields.ts";
import { JOB_TRACKING_FINALIZER, WorkloadControllerNames } from "./well-known.ts";
import { type Condition, statusOf } from "./workload-types.ts";

const NAME = WorkloadControllerNames.job;
/** Kubernetes' `MaxPodCreateDeletePerSync`. */
const MAX_POD_CHANGES = 500;

/** What `syncJob` writes through and remembers with. */
export type JobSyncDeps = {
  client: KubeClient;
  clock: Clock;
  expectations: Expectations;
  backoff: JobBackoff;
  events: EventRecorder;
};

/**
 * One pass of the Job controller over one unfinished Job (`syncJob`): counts
 * finished pods through the tracking finalizer and
 * `status.uncountedTerminatedPods` so none is counted twice or lost, decides
 * success (SuccessCriteriaMet, then Complete) or failure (FailureTarget, then
 * Failed, on backoffLimit or activeDeadlineSeconds), and otherwise keeps
 * `parallelism` pods running toward `completions`. Returns a delay after
 * which to look again, if any.
 */
export async function syncJob(
  deps: JobSyncDeps,
  key: string,
  job: KubeObject,
  pods: KubeObject[],
): Promise<number | undefined> {
  const { clock, expectations, backoff } = deps;
  const settings = jobSettings(job);
  const now = clock.now();
  const status: JobStatus = structuredClone(statusOf<JobStatus>(job));
  const uncounted = {
    succeeded: [...(status.uncountedTerminatedPods?.succeeded ?? [])],
    failed: [...(status.uncountedTerminatedPods?.failed ?? [])],
  };
  const satisfied = expectations.satisfied(key);
  const expectedRemovals = expectations.pendingFinalizerRemovals(key);
  const completions = settings.completions ?? 0;
  let active = pods.filter(isPodActive);
  let terminating = pods.filter((p) => isPodTerminating(p) && !isPodTerminal(p)).length;
  const tracked = pods.filter((p) => hasTrackingFinalizer(p) && !expectedRemovals.has(p.metadata.uid ?? ""));
  const isUncounted = (p: KubeObject) =>
    uncounted.succeeded.includes(p.metadata.uid ?? "") || uncounted.failed.includes(p.metadata.uid ?? "");
  const validIndex = (p: KubeObject) =>
    !settings.indexed || (completionIndexOf(p) >= 0 && completionIndexOf(p) < completions);
  const fresh = tracked.filter((p) => !isUncounted(p) && validIndex(p));
  const newSucceeded = fresh.filter((p) => podPhase(p) === "Succeeded");
  const newFailed = fresh.filter(
    (p) => podPhase(p) !== "Succeeded" && isJobPodFailed(p, settings.onlyReplaceFailed),
  );
  let succeeded = (status.succeeded ?? 0) + newSucceeded.length + uncounted.succeeded.length;
  const failed = (status.failed ?? 0) + newFailed.length + uncounted.failed.length;
  const previousIndexes = parseIndexes(status.completedIndexes, completions);
  const succeededIndexes = new Set(previousIndexes);
  if (settings.indexed) {
    for (const pod of pods)
      if (podPhase(pod) === "Succeeded" && validIndex(pod)) succeededIndexes.add(completionIndexOf(pod));
    succeeded = succeededIndexes.size;
  }
  if (!status.startTime && !settings.suspended) status.startTime = rfc3339(now);

  let requeueMs: number | undefined;
  let finished: Condition | undefined;
  const conditions = status.conditions;
  if (hasTrueCondition(conditions, "SuccessCriteriaMet")) {
    finished = jobCondition("SuccessCriteriaMet", "True", ...JobReasons.completionsReached, now);
  } else if (hasTrueCondition(conditions, "FailureTarget")) {
    finished = conditions?.find((c) => c.type === "FailureTarget");
  } else if (failed > settings.backoffLimit) {
    finished = jobCondition("FailureTarget", "True", ...JobReasons.backoffLimitExceeded, now);
  } else if (settings.activeDeadlineSeconds !== undefined && !settings.suspended && status.startTime) {
    const left = Date.parse(status.startTime) + settings.activeDeadlineSeconds * 1000 - now.getTime();
    if (left <= 0) finished = jobCondition("FailureTarget", "True", ...JobReasons.deadlineExceeded, now);
    else requeueMs = left;
  }

  let needsFlush = false;
  if (finished && finished.type !== "SuccessCriteriaMet") {
    const deleted = await deletePods(deps, key, active, { job, keepFinalizer: true });
    if (deleted !== active.length || !satisfied) finished = undefined;
    terminating += deleted;
    active = active.slice(deleted);
  } else if (!finished) {
    if (satisfied && !job.metadata.deletionTimestamp) {
      const managed = await manage(deps, key, job, active, { succeeded, succeededIndexes, terminating });
      active = managed.active;
      terminating = managed.terminating;
      requeueMs = managed.requeueMs ?? requeueMs;
      const suspendCondition = settings.suspended
        ? jobCondition("Suspended", "True", ...JobReasons.suspended, now)
        : jobCondition("Suspended", "False", ...JobReasons.resumed, now);
      const ensured = ensureJobCondition(status.conditions, suspendCondition);
      if (ensured.changed) {
        status.conditions = ensured.conditions;
        needsFlush = true;
        if (!settings.suspended) status.startTime = rfc3339(now);
        const [reason, message] = settings.suspended
          ? ["Suspended", "Job suspended"]
          : ["Resumed", "Job resumed"];
        deps.events.event(job, "Normal", reason, message);
      }
    }
    const done =
      settings.completions === undefined
        ? succeeded > 0 && active.length === 0
        : succeeded >= completions && active.length === 0;
    if (done) finished = jobCondition("SuccessCriteriaMet", "True", ...JobReasons.completionsReached, now);
  }

  const ready = active.filter(isPodReady).length;
  needsFlush ||=
    active.length !== (status.active ?? 0) || ready !== status.ready || terminating !== status.terminating;
  status.active = active.length;
  status.ready = ready;
  status.terminating = terminating;

  // Count finished pods: record them as uncounted, then remove their finalizers, then move them into the counters.
  const toRelease: KubeObject[] = [];
  const newlySucceededIndexes: number[] = [];
  const counted = { succeeded: [] as KubeObject[], failed: [] as KubeObject[] };
  for (const pod of tracked) {
    const uid = pod.metadata.uid ?? "";
    const failedPod = isJobPodFailed(pod, settings.onlyReplaceFailed);
    if (!(job.metadata.deletionTimestamp || finished || podPhase(pod) === "Succeeded" || failedPod)) continue;
    toRelease.push(pod);
    if (podPhase(pod) === "Succeeded" && !uncounted.failed.includes(uid)) {
      if (settings.indexed) {
        if (validIndex(pod) && !previousIndexes.has(completionIndexOf(pod)))
          newlySucceededIndexes.push(completionIndexOf(pod));
      } else if (!uncounted.succeeded.includes(uid)) {
        uncounted.succeeded.push(uid);
        counted.succeeded.push(pod);
      }
    } else if (
      (failedPod || (finished && finished.type !== "SuccessCriteriaMet")) &&
      !uncounted.failed.includes(uid) &&
      validIndex(pod)
    ) {
      uncounted.failed.push(uid);
      counted.failed.push(pod);
    }
  }
  needsFlush ||= counted.succeeded.length + counted.failed.length + newlySucceededIndexes.length > 0;
  if (settings.indexed) {
    const text = formatIndexes([...previousIndexes, ...newlySucceededIndexes]);
    needsFlush ||= text !== (status.completedIndexes ?? "");
    status.completedIndexes = text;
    status.succeeded = parseIndexes(text, completions).size;
  }
  if (finished?.type === "FailureTarget" && !hasTrueCondition(status.conditions, "FailureTarget")) {
    status.conditions = [...(status.conditions ?? []), finished];
    needsFlush = true;
  }
  if (finished?.type === "SuccessCriteriaMet" && !hasTrueCondition(status.conditions, "SuccessCriteriaMet")) {
    status.conditions = [...(status.conditions ?? []), finished];
    needsFlush = true;
  }
  status.uncountedTerminatedPods = uncounted;
  let current = job;
  const flush = async () => {
    const next = jobStatusForWrite(status);
    if (!jsonEqual(next, current.status ?? {})) {
      current = await deps.client.update(
        R.jobs,
        job.metadata.namespace,
        { ...current, status: next },
        { subresource: "status", fieldManager: NAME },
      );
    }
  };
  if (needsFlush) await flush();
  backoff.record(key, counted.succeeded, counted.failed);

  const released = new Set<string>();
  for (const pod of toRelease) {
    await removeTrackingFinalizer(deps.client, pod);
    expectations.expectFinalizerRemoval(key, pod, JOB_TRACKING_FINALIZER);
    released.add(pod.metadata.uid ?? "");
  }
  const stillTracked = new Set(tracked.map((p) => p.metadata.uid ?? "").filter((uid) => !released.has(uid)));
  const keep = (uid: string) => stillTracked.has(uid);
  status.succeeded = settings.indexed
    ? status.succeeded
    : (status.succeeded ?? 0) + uncounted.succeeded.filter((u) => !keep(u)).length;
  status.failed = (status.failed ?? 0) + uncounted.failed.filter((u) => !keep(u)).length;
  uncounted.succeeded = uncounted.succeeded.filter(keep);
  uncounted.failed = uncounted.failed.filter(keep);

  if (finished && uncounted.succeeded.length + uncounted.failed.length === 0 && terminating === 0) {
    const final =
      finished.type === "SuccessCriteriaMet"
        ? jobCondition("Complete", "True", ...JobReasons.completionsReached, now)
        : jobCondition("Failed", "True", finished.reason ?? "", finished.message ?? "", now);
    status.conditions = ensureJobCondition(status.conditions, final).conditions;
    if (final.type === "Complete") status.completionTime = final.lastTransitionTime;
    await flush();
    if (final.type === "Complete") deps.events.event(job, "Normal", "Completed", "Job completed");
    else deps.events.event(job, "Warning", final.reason ?? "", final.message ?? "");
    return requeueMs;
  }
  await flush();
  return requeueMs;
}

/** Deletes pods (first releasing their finalizer unless `keepFinalizer`); how many are gone or going. */
async function deletePods(
  deps: JobSyncDeps,
  key: string,
  pods: KubeObject[],
  options: { job: KubeObject; keepFinalizer: boolean },
): Promise<number> {
  const results = await Promise.allSettled(
    pods.map(async (pod) => {
      if (!options.keepFinalizer) await removeTrackingFinalizer(deps.client, pod);
      try {
        await deps.client.delete(R.pods, pod.metadata.namespace, pod.metadata.name ?? "");
        deps.expectations.expectDeletion(key, pod);
        deps.events.event(options.job, "Normal", "SuccessfulDelete", `Deleted pod: ${pod.metadata.name}`);
      } catch (error) {
        if (!(error instanceof StatusError && error.reason === "NotFound")) throw error;
      }
    }),
  );
  const failure = results.find((r) => r.status === "rejected");
  if (failure) throw failure.reason;
  return pods.length;
}

/** `manageJob`: delete everything when suspended or surplus pods, else create toward `parallelism`. */
async function manage(
  deps: JobSyncDeps,
  key: string,
  job: KubeObject,
  active: KubeObject[],
  counts: { succeeded: number; succeededIndexes: Set<number>; terminating: number },
): Promise<{ active: KubeObject[]; terminating: number; requeueMs?: number }> {
  const settings = jobSettings(job);
  const completions = settings.completions ?? 0;
  if (settings.suspended) {
    const removed = await deletePods(deps, key, active, { job, keepFinalizer: false });
    return { active: [], terminating: counts.terminating + removed };
  }
  const wantActive =
    settings.completions === undefined
      ? counts.succeeded > 0
        ? active.length
        : settings.parallelism
      : Math.max(0, Math.min(completions - counts.succeeded, settings.parallelism));
  const surplus = podsForRemoval(active, wantActive, settings.indexed, completions).slice(0, MAX_POD_CHANGES);
  if (surplus.length > 0) {
    const removed = await deletePods(deps, key, surplus, { job, keepFinalizer: false });
    return { active: active.filter((p) => !surplus.includes(p)), terminating: counts.terminating + removed };
  }
  const waiting = settings.onlyReplaceFailed ? counts.terminating : 0;
  let diff = Math.min(wantActive - waiting - active.length, MAX_POD_CHANGES);
  if (diff <= 0) return { active, terminating: counts.terminating };
  const remaining = deps.backoff.remainingMs(key);
  if (remaining > 0) return { active, terminating: counts.terminating, requeueMs: remaining };
  const indexes = settings.indexed
    ? firstPendingIndexes(active, counts.succeededIndexes, diff, completions)
    : [];
  if (settings.indexed) diff = indexes.length;
  const created: KubeObject[] = [];
  const error = await slowStartBatch(diff, async () => {
    const pod = await deps.client.create(
      R.pods,
      job.metadata.namespace,
      newJobPod(job, settings.indexed ? indexes.shift() : undefined),
      {
        fieldManager: NAME,
      },
    );
    deps.expectations.expectCreation(key, pod);
    deps.events.event(job, "Normal", "SuccessfulCreate", `Created pod: ${pod.metadata.name}`);
    created.push(pod);
  });
  if (error) throw error;
  return { active: [...active, ...created], terminating: counts.terminating };
}

function jobStatusForWrite(status: JobStatus): Record<string, unknown> {
  const { ready, terminating, uncountedTerminatedPods, ...rest } = status;
  const uncounted = omitZero({ ...uncountedTerminatedPods });
  return {
    ...omitZero(rest),
    ready: ready ?? 0,
    terminating: terminating ?? 0,
    uncountedTerminatedPods: uncounted,
  };
}
