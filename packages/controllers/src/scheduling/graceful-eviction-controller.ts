import type { ReconcileResult, Runnable } from "@atoll/kube";
import type { PropagationContext } from "../propagation/context.ts";
import { BindingQueue, msUntil } from "./binding-queue.ts";
import { FieldManagers, patchSpec } from "./binding-writes.ts";
import type { CachedBinding } from "./bindings.ts";
import { assessEvictionTasks } from "./graceful-eviction.ts";

export type GracefulEvictionControllerOptions = {
  /** Bindings looked at once (default 8). */
  concurrency?: number;
  /** The grace period of tasks that do not set one (default 600 s). */
  gracePeriodSeconds?: number;
};

/**
 * Ends graceful eviction tasks: when the replicas placed elsewhere are
 * applied and healthy, when the grace period is over, or when the user
 * confirms by setting suppressDeletion to false. Ending a task is what lets
 * the binding controller delete the old copy, so the workload never drops
 * to nothing while it moves. A binding with tasks is looked at on every
 * change (its aggregated status moves it) and when its first grace period
 * ends.
 */
export class GracefulEvictionController implements Runnable {
  #context: PropagationContext;
  #queue: BindingQueue;
  #gracePeriodSeconds: number;

  constructor(context: PropagationContext, options: GracefulEvictionControllerOptions = {}) {
    this.#context = context;
    this.#gracePeriodSeconds = options.gracePeriodSeconds ?? 600;
    this.#queue = new BindingQueue(context, {
      name: "graceful-eviction",
      concurrency: options.concurrency ?? 8,
      reconcile: (cached) => this.#reconcile(cached),
    });
  }

  start(): void {}

  stop(): void {
    this.#queue.stop();
  }

  async #reconcile({ ref, binding }: CachedBinding): Promise<ReconcileResult> {
    if (!binding.spec.gracefulEvictionTasks?.length) return undefined;
    const now = this.#context.clock.now();
    const assessment = assessEvictionTasks(binding, {
      now,
      defaultGracePeriodSeconds: this.#gracePeriodSeconds,
    });
    if (assessment.ended.length > 0) {
      const tasks = assessment.keep.length > 0 ? assessment.keep : null;
      await patchSpec(
        this.#context.hub,
        ref,
        binding.metadata.resourceVersion,
        { gracefulEvictionTasks: tasks },
        FieldManagers.gracefulEviction,
      );
    }
    return assessment.recheckAt ? { requeueAfterMs: msUntil(assessment.recheckAt, now) } : undefined;
  }
}
