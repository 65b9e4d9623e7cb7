import type { MemberCluster } from "@atoll/api";
import { jsonEqual, type ReconcileResult, type Runnable } from "@atoll/kube";
import type { PropagationContext } from "../propagation/context.ts";
import { BindingQueue, msUntil } from "./binding-queue.ts";
import { applyStatus, FieldManagers, patchSpec } from "./binding-writes.ts";
import type { CachedBinding } from "./bindings.ts";
import { type SchedulingOutcome, schedulerStatus, statusChanged } from "./scheduler-status.ts";
import { decideScheduling } from "./scheduling-decision.ts";

export type SchedulingControllerOptions = {
  /** Bindings scheduled at once (default 8). */
  concurrency?: number;
  /**
   * How long after a failed attempt to try again even if nothing is seen to
   * change (default 30 s): room freed in members is not watched, so a
   * binding that did not fit for lack of capacity needs another look.
   */
  unschedulableRetryMs?: number;
};

/**
 * Places every ResourceBinding and ClusterResourceBinding: runs the pure
 * scheduler over the binding and the MemberClusters, writes spec.clusters
 * (merge patch, only when the result changed) and the Scheduled condition
 * with the observed generation (server-side apply of the scheduler's own
 * status fields). Bindings are looked at again when they change and when
 * members change in a way that matters to placement, never on resource
 * summary updates. A failed attempt keeps the previous clusters.
 */
export class SchedulingController implements Runnable {
  #context: PropagationContext;
  #queue: BindingQueue;
  #retryMs: number;
  /**
   * Bindings whose spec this controller just patched, by the resourceVersion
   * the patch produced. The status write that follows makes that version
   * stale at once; a pass over it (the cache can lag behind the status
   * write) would only write the same status again.
   */
  #patched = new Map<string, string>();

  constructor(context: PropagationContext, options: SchedulingControllerOptions = {}) {
    this.#context = context;
    this.#retryMs = options.unschedulableRetryMs ?? 30_000;
    this.#queue = new BindingQueue(context, {
      name: "scheduler",
      concurrency: options.concurrency ?? 8,
      reconcile: (cached) => this.#reconcile(cached),
      onMemberChange: () => true,
    });
  }

  start(): void {}

  stop(): void {
    this.#queue.stop();
  }

  async #reconcile({ key, ref, binding }: CachedBinding): Promise<ReconcileResult> {
    const patched = this.#patched.get(key);
    this.#patched.delete(key);
    if (patched !== undefined && patched === binding.metadata.resourceVersion) return undefined;
    const now = this.#context.clock.now();
    const members = this.#context.memberClusters.list() as MemberCluster[];
    const decision = decideScheduling(binding, members, now);
    if (!decision.trigger)
      return decision.recheckAt ? { requeueAfterMs: msUntil(decision.recheckAt, now) } : undefined;
    let current = binding;
    let outcome: SchedulingOutcome;
    if ("error" in decision) {
      outcome = { scheduled: false, generation: binding.metadata.generation ?? 0, error: decision.error };
    } else {
      if (!jsonEqual(decision.clusters, binding.spec.clusters ?? [])) {
        current = await patchSpec(
          this.#context.hub,
          ref,
          binding.metadata.resourceVersion,
          { clusters: decision.clusters },
          FieldManagers.scheduler,
        );
      }
      outcome = { scheduled: true, generation: current.metadata.generation ?? 0 };
      if (decision.result.affinityName !== undefined) outcome.affinityName = decision.result.affinityName;
    }
    const status = schedulerStatus(current, outcome, now);
    if (current !== binding || statusChanged(current, status)) {
      await applyStatus(this.#context.hub, ref, status, FieldManagers.scheduler);
      if (current !== binding && current.metadata.resourceVersion)
        this.#patched.set(key, current.metadata.resourceVersion);
    }
    if (!outcome.scheduled) return { requeueAfterMs: this.#retryMs };
    const next = "result" in decision ? decision.result.nextChangeAt : undefined;
    return next ? { requeueAfterMs: msUntil(next, now) } : undefined;
  }
}
