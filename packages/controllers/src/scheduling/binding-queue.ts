import { Controller, type ReconcileResult, type Runnable } from "@atoll/kube";
import type { PropagationContext } from "../propagation/context.ts";
import { isStale } from "./binding-writes.ts";
import { Bindings, type CachedBinding } from "./bindings.ts";
import { MemberChanges } from "./member-changes.ts";

/** A write lost to a concurrent one is retried this soon, in case no further event comes. */
const STALE_RETRY_MS = 200;

export type BindingQueueOptions = {
  name: string;
  /** Bindings reconciled at once. */
  concurrency: number;
  /** One pass over a binding that exists and is not being deleted. */
  reconcile(binding: CachedBinding): Promise<ReconcileResult>;
  /** Which bindings to look at again when members change in a way that matters to scheduling; none when unset. */
  onMemberChange?: (binding: CachedBinding) => boolean;
  /** Called when a queued binding turns out to be gone or being deleted, to forget what was kept for it. */
  onGone?: (key: string) => void;
};

/**
 * One work queue over both binding kinds, fed by the shared hub informers
 * (and, when asked, by member changes), as each failover controller needs.
 * Bindings being deleted are skipped: nothing is placed or evicted for an
 * object on its way out.
 */
export class BindingQueue implements Runnable {
  #bindings: Bindings;
  #controller: Controller;
  #memberChanges: MemberChanges | undefined;

  constructor(context: PropagationContext, options: BindingQueueOptions) {
    this.#bindings = new Bindings(context);
    this.#controller = new Controller({
      name: options.name,
      concurrency: options.concurrency,
      onError: context.onError,
      reconcile: async (key) => {
        // Before the first member list, every member would look gone.
        await context.memberClusters.synced();
        const cached = this.#bindings.get(key);
        if (!cached || cached.binding.metadata.deletionTimestamp) {
          options.onGone?.(key);
          return undefined;
        }
        try {
          return await options.reconcile(cached);
        } catch (error) {
          if (isStale(error)) return { requeueAfterMs: STALE_RETRY_MS };
          throw error;
        }
      },
    });
    this.#bindings.feed(this.#controller);
    const select = options.onMemberChange;
    if (select) {
      this.#memberChanges = new MemberChanges(context.memberClusters, () => {
        for (const cached of this.#bindings.all()) if (select(cached)) this.#controller.enqueue(cached.key);
      });
    }
  }

  start(): void {}

  stop(): void {
    this.#memberChanges?.stop();
    this.#controller.stop();
  }
}

/** Milliseconds from `now` until `at`, never negative. */
export function msUntil(at: Date, now: Date): number {
  return Math.max(0, at.getTime() - now.getTime());
}
