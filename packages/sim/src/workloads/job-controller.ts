import {
  type Clock,
  type KubeClient,
  type KubeObject,
  objectKeyOf,
  R,
  type ReconcileResult,
  type Runnable,
  StatusError,
  splitKey,
} from "@atoll/kube";
import type { EventRecorder } from "../events/recorder.ts";
import { Expectations } from "./expectations.ts";
import type { WorkloadInformers } from "./informers.ts";
import { isJobFinished } from "./job-conditions.ts";
import {
  hasTrackingFinalizer,
  JobBackoff,
  type JobStatus,
  jobSettings,
  removeTrackingFinalizer,
} from "./job-pods.ts";
import { jobSelects } from "./job-selector.ts";
import { syncJob } from "./job-sync.ts";
import { childCandidates, claimChildren, controllerKeyOf, controllerOf } from "./owner.ts";
import { NO_EVENTS, SyncedController, type WorkloadControllerOptions } from "./synced-controller.ts";
import { JOB_TRACKING_FINALIZER, WorkloadControllerNames } from "./well-known.ts";
import { statusOf } from "./workload-types.ts";

const NAME = WorkloadControllerNames.job;

/** The Job controller's options: the common ones and its pod-failure back-off. */
export type JobControllerOptions = WorkloadControllerOptions & {
  /** Delay before replacing failed pods: `initialMs` doubling per failure, at most `maxMs` (Kubernetes: 10 s, 6 min). */
  backoff?: { initialMs?: number; maxMs?: number };
};

/**
 * The Job controller: runs `parallelism` pods at a time until `completions`
 * have succeeded (NonIndexed), or until each index below `completions` has
 * (Indexed: the `batch.kubernetes.io/job-completion-index` annotation and
 * label); counts every finished pod exactly once through the
 * `batch.kubernetes.io/job-tracking` finalizer; fails the Job after more than
 * `backoffLimit` failures (BackoffLimitExceeded) or `activeDeadlineSeconds`
 * (DeadlineExceeded); completes it with SuccessCriteriaMet then Complete;
 * honours `suspend`; deletes a finished Job after `ttlSecondsAfterFinished`.
 *
 * A Job without a selector (the API server did not generate one) selects
 * pods by its `batch.kubernetes.io/controller-uid` label, which its pods get.
 */
export class JobController implements Runnable {
  #client: KubeClient;
  #informers: WorkloadInformers;
  #clock: Clock;
  #expectations: Expectations;
  #backoff: JobBackoff;
  #events: EventRecorder;
  #runner: SyncedController;

  constructor(options: JobControllerOptions) {
    this.#client = options.client;
    this.#events = options.events?.(NAME) ?? NO_EVENTS;
    this.#informers = options.informers;
    this.#clock = options.clock;
    const { pods, jobs } = options.informers;
    this.#expectations = new Expectations({ children: pods, clock: options.clock });
    this.#backoff = new JobBackoff({ clock: options.clock, ...options.backoff });
    this.#runner = new SyncedController({
      name: NAME,
      informers: [pods, jobs],
      reconcile: (key) => this.#reconcile(key),
      onError: options.onError,
    });
    this.#runner.controller.watches(jobs).watches(pods, (pod) => this.#ownersOf(pod));
  }

  start(): void {
    this.#runner.start();
  }

  stop(): void {
    this.#runner.stop();
  }

  #ownersOf(pod: KubeObject): string[] {
    if (controllerOf(pod)) return controllerKeyOf(pod, "Job");
    return this.#informers.jobs
      .list(pod.metadata.namespace)
      .filter((job) => jobSelects(job, pod))
      .map(objectKeyOf);
  }

  async #reconcile(key: string): Promise<ReconcileResult> {
    const job = this.#informers.jobs.get(key);
    await this.#releaseOrphans(key, job);
    if (!job) {
      this.#expectations.forget(key);
      this.#backoff.forget(key);
      return undefined;
    }
    const status = statusOf<JobStatus>(job);
    if (isJobFinished(status.conditions)) {
      this.#backoff.forget(key);
      return this.#expireFinished(job);
    }
    const pods = await claimChildren({
      client: this.#client,
      resource: R.pods,
      owner: job,
      ownerResource: R.jobs,
      candidates: childCandidates(this.#informers.pods, job),
      matches: (pod) => jobSelects(job, pod),
      fieldManager: NAME,
      adoptFinalizer: JOB_TRACKING_FINALIZER,
    });
    const deps = {
      client: this.#client,
      clock: this.#clock,
      expectations: this.#expectations,
      backoff: this.#backoff,
      events: this.#events,
    };
    const requeueMs = await syncJob(deps, key, job, pods);
    return requeueMs === undefined ? undefined : { requeueAfterMs: requeueMs };
  }

  /** Pods whose Job is gone (or replaced by a new one of the same name) must not keep the tracking finalizer. */
  async #releaseOrphans(key: string, job: KubeObject | undefined): Promise<void> {
    const { namespace, name } = splitKey(key);
    for (const pod of this.#informers.pods.list(namespace)) {
      const ref = controllerOf(pod);
      if (ref?.kind !== "Job" || ref.name !== name || ref.uid === job?.metadata.uid) continue;
      if (hasTrackingFinalizer(pod)) await removeTrackingFinalizer(this.#client, pod);
    }
  }

  /** `ttlSecondsAfterFinished`: deletes the finished Job (and, in the foreground, its pods) once it has expired. */
  async #expireFinished(job: KubeObject): Promise<ReconcileResult> {
    const ttl = jobSettings(job).ttlSecondsAfterFinished;
    if (ttl === undefined || job.metadata.deletionTimestamp) return undefined;
    const status = statusOf<JobStatus>(job);
    const finishedAt =
      status.completionTime ??
      status.conditions?.find((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True")
        ?.lastTransitionTime;
    const left = (Date.parse(finishedAt ?? "") || 0) + ttl * 1000 - this.#clock.now().getTime();
    if (left > 0) return { requeueAfterMs: left };
    try {
      await this.#client.delete(R.jobs, job.metadata.namespace, job.metadata.name ?? "", {
        propagationPolicy: "Foreground",
        preconditions: { uid: job.metadata.uid },
      });
    } catch (error) {
      if (!(error instanceof StatusError && error.reason === "NotFound")) throw error;
    }
    return undefined;
  }
}
