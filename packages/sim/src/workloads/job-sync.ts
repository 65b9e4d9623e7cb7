import {
  type Clock,
  cloneJson,
  type KubeClient,
  type KubeObject,
  R,
  rfc3339,
  StatusError,
} from "@atoll/kube";
import type { EventRecorder } from "../events/recorder.ts";
import type { Expectations } from "./expectations.ts";
import { ensureJobCondition, hasTrueCondition, JobReasons, jobCondition } from "./job-conditions.ts";
import { completionIndexOf, firstPendingIndexes, parseIndexes } from "./job-indexes.ts";
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
import { trackAndFinish } from "./job-tracking.ts";
import { isPodActive, isPodTerminal, isPodTerminating, podPhase } from "./pod-state.ts";
import { slowStartBatch } from "./slow-start.ts";
import { WorkloadControllerNames } from "./well-known.ts";
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

/** What one pass knows about a Job and its pods before acting. */
export type JobView = {
  settings: ReturnType<typeof jobSettings>;
  /** A working copy of the status, changed and written as the pass goes. */
  status: JobStatus;
  uncounted: { succeeded: string[]; failed: string[] };
  /** Pods still carrying the tracking finalizer (and not just released by an earlier pass). */
  tracked: KubeObject[];
  succeeded: number;
  failed: number;
  previousIndexes: Set<number>;
  succeededIndexes: Set<number>;
  validIndex(pod: KubeObject): boolean;
};

function observe(deps: JobSyncDeps, key: string, job: KubeObject, pods: KubeObject[]): JobView {
  const settings = jobSettings(job);
  const status: JobStatus = cloneJson(statusOf<JobStatus>(job));
  const uncounted = {
    succeeded: [...(status.uncountedTerminatedPods?.succeeded ?? [])],
    failed: [...(status.uncountedTerminatedPods?.failed ?? [])],
  };
  const completions = settings.completions ?? 0;
  const released = deps.expectations.pendingFinalizerRemovals(key);
  const tracked = pods.filter((p) => hasTrackingFinalizer(p) && !released.has(p.metadata.uid ?? ""));
  const isUncounted = (uid: string) => uncounted.succeeded.includes(uid) || uncounted.failed.includes(uid);
  const validIndex = (p: KubeObject) =>
    !settings.indexed || (completionIndexOf(p) >= 0 && completionIndexOf(p) < completions);
  const fresh = tracked.filter((p) => !isUncounted(p.metadata.uid ?? "") && validIndex(p));
  const newSucceeded = fresh.filter((p) => podPhase(p) === "Succeeded").length;
  const newFailed = fresh.filter(
    (p) => podPhase(p) !== "Succeeded" && isJobPodFailed(p, settings.onlyReplaceFailed),
  ).length;
  const previousIndexes = parseIndexes(status.completedIndexes, completions);
  const succeededIndexes = new Set(previousIndexes);
  for (const pod of pods) {
    if (podPhase(pod) === "Succeeded" && validIndex(pod)) succeededIndexes.add(completionIndexOf(pod));
  }
  return {
    settings,
    status,
    uncounted,
    tracked,
    succeeded: settings.indexed
      ? succeededIndexes.size
      : (status.succeeded ?? 0) + newSucceeded + uncounted.succeeded.length,
    failed: (status.failed ?? 0) + newFailed + uncounted.failed.length,
    previousIndexes,
    succeededIndexes,
    validIndex,
  };
}

/**
 * The condition the Job is heading for, if any: SuccessCriteriaMet or
 * FailureTarget already recorded, or a new FailureTarget for more than
 * `backoffLimit` failures or for `activeDeadlineSeconds` passed (else when to
 * check that deadline again).
 */
function finishedCondition(view: JobView, now: Date): { finished?: Condition; requeueMs?: number } {
  const { status, settings } = view;
  if (hasTrueCondition(status.conditions, "SuccessCriteriaMet")) {
    return { finished: jobCondition("SuccessCriteriaMet", "True", ...JobReasons.completionsReached, now) };
  }
  if (hasTrueCondition(status.conditions, "FailureTarget")) {
    return { finished: status.conditions?.find((c) => c.type === "FailureTarget") };
  }
  if (view.failed > settings.backoffLimit) {
    return { finished: jobCondition("FailureTarget", "True", ...JobReasons.backoffLimitExceeded, now) };
  }
  if (settings.activeDeadlineSeconds === undefined || settings.suspended || !status.startTime) return {};
  const left = Date.parse(status.startTime) + settings.activeDeadlineSeconds * 1000 - now.getTime();
  if (left > 0) return { requeueMs: left };
  return { finished: jobCondition("FailureTarget", "True", ...JobReasons.deadlineExceeded, now) };
}

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
  const now = deps.clock.now();
  const view = observe(deps, key, job, pods);
  const { settings, status } = view;
  const satisfied = deps.expectations.satisfied(key);
  let active = pods.filter(isPodActive);
  let terminating = pods.filter((p) => isPodTerminating(p) && !isPodTerminal(p)).length;
  if (!status.startTime && !settings.suspended) status.startTime = rfc3339(now);
  let { finished, requeueMs } = finishedCondition(view, now);
  let conditionsChanged = false;

  if (finished && finished.type !== "SuccessCriteriaMet") {
    // Failing: stop every pod, keeping its finalizer so it is counted as failed.
    const deleted = await deletePods(deps, key, active, { job, keepFinalizer: true });
    if (deleted !== active.length || !satisfied) finished = undefined;
    terminating += deleted;
    active = [];
  } else if (!finished) {
    if (satisfied && !job.metadata.deletionTimestamp) {
      const managed = await manage(deps, key, job, active, { ...view, terminating });
      ({ active, terminating } = managed);
      requeueMs = managed.requeueMs ?? requeueMs;
      conditionsChanged = updateSuspended(deps, job, view, now);
    }
    const completions = settings.completions;
    const done =
      (completions === undefined ? view.succeeded > 0 : view.succeeded >= completions) && active.length === 0;
    if (done) finished = jobCondition("SuccessCriteriaMet", "True", ...JobReasons.completionsReached, now);
  }
  await trackAndFinish(deps, key, job, view, {
    active,
    terminating,
    finished,
    needsFlush: conditionsChanged,
    now,
  });
  return requeueMs;
}

/** Sets Suspended True (JobSuspended) or False (JobResumed, restarting startTime); true when it changed. */
function updateSuspended(deps: JobSyncDeps, job: KubeObject, view: JobView, now: Date): boolean {
  const { status, settings } = view;
  const condition = settings.suspended
    ? jobCondition("Suspended", "True", ...JobReasons.suspended, now)
    : jobCondition("Suspended", "False", ...JobReasons.resumed, now);
  const ensured = ensureJobCondition(status.conditions, condition);
  if (!ensured.changed) return false;
  status.conditions = ensured.conditions;
  if (!settings.suspended) status.startTime = rfc3339(now);
  const [reason, message] = settings.suspended ? ["Suspended", "Job suspended"] : ["Resumed", "Job resumed"];
  deps.events.event(job, "Normal", reason, message);
  return true;
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
