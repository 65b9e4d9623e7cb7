import type { MemberCluster } from "@atoll/api";
import type { ReconcileResult, Runnable } from "@atoll/kube";
import type { PropagationContext } from "../propagation/context.ts";
import { BindingQueue, msUntil } from "./binding-queue.ts";
import { FieldManagers, patchSpec } from "./binding-writes.ts";
import type { CachedBinding } from "./bindings.ts";
import { EvictionLimiter } from "./eviction-limiter.ts";
import { type FleetHealth, fleetHealth } from "./fleet-disruption.ts";
import { evictionSpec, taintEvictionPlan } from "./taint-eviction.ts";

export type TaintManagerOptions = {
  /** Bindings looked at once (default 8). */
  concurrency?: number;
  /** Bindings evicted per second, fleet-wide (default 10, burst 1). */
  evictionsPerSecond?: number;
  /** Evictions pause while more than this share of members is NotReady or Unknown (default 0.55). */
  unhealthyThreshold?: number;
  /** The grace period written on each eviction task (default 600 s). */
  gracePeriodSeconds?: number;
};

/** What the taint manager is doing, for operators and tests. */
export type TaintManagerState = FleetHealth & {
  /** Bindings due for eviction that wait for their turn under the rate limit. */
  waitingForToken: number;
  /** Bindings due for eviction held back because evictions are paused. */
  heldByPause: number;
};

/**
 * Moves bindings off members with a NoExecute taint they do not tolerate
 * (Karmada's taint manager, with Kubernetes' node-eviction safety): once a
 * taint is untolerated — at once, or when a toleration's tolerationSeconds
 * run out — the member leaves spec.clusters and a graceful eviction task
 * takes its place, in one patch; the scheduler then places its replicas
 * elsewhere. Evictions are rate-limited fleet-wide and pause while too much
 * of the fleet is unhealthy, so a network partition or a flapping hub does
 * not stampede every workload at once.
 */
export class TaintManager implements Runnable {
  #context: PropagationContext;
  #queue: BindingQueue;
  #limiter: EvictionLimiter;
  #threshold: number;
  #gracePeriodSeconds: number;
  #held = new Set<string>();

  constructor(context: PropagationContext, options: TaintManagerOptions = {}) {
    this.#context = context;
    this.#threshold = options.unhealthyThreshold ?? 0.55;
    this.#gracePeriodSeconds = options.gracePeriodSeconds ?? 600;
    this.#limiter = new EvictionLimiter({
      perSecond: options.evictionsPerSecond ?? 10,
      clock: context.clock,
    });
    this.#queue = new BindingQueue(context, {
      name: "taint-manager",
      concurrency: options.concurrency ?? 8,
      reconcile: (cached) => this.#reconcile(cached),
      onMemberChange: ({ binding }) => (binding.spec.clusters?.length ?? 0) > 0,
      onGone: (key) => {
        this.#limiter.release(key);
        this.#held.delete(key);
      },
    });
  }

  start(): void {}

  stop(): void {
    this.#queue.stop();
  }

  state(): TaintManagerState {
    const health = fleetHealth(this.#members(), this.#threshold);
    return { ...health, waitingForToken: this.#limiter.waiting, heldByPause: this.#held.size };
  }

  async #reconcile({ key, ref, binding }: CachedBinding): Promise<ReconcileResult> {
    const now = this.#context.clock.now();
    const members = this.#members();
    const byName = new Map(members.map((m) => [m.metadata.name ?? "", m]));
    const plan = taintEvictionPlan(binding, byName, now);
    const recheck = plan.recheckAt ? { requeueAfterMs: msUntil(plan.recheckAt, now) } : undefined;
    if (plan.evictions.length === 0 || fleetHealth(members, this.#threshold).paused) {
      this.#limiter.release(key);
      // Held bindings come back with the member change that ends the pause.
      if (plan.evictions.length > 0) this.#held.add(key);
      else this.#held.delete(key);
      return recheck;
    }
    this.#held.delete(key);
    const grant = this.#limiter.take(key);
    if (!grant.granted) return { requeueAfterMs: msUntil(grant.retryAt, now) };
    const spec = evictionSpec(binding, plan.evictions, { now, gracePeriodSeconds: this.#gracePeriodSeconds });
    await patchSpec(
      this.#context.hub,
      ref,
      binding.metadata.resourceVersion,
      spec,
      FieldManagers.taintManager,
    );
    return recheck;
  }

  #members(): MemberCluster[] {
    return this.#context.memberClusters.list() as MemberCluster[];
  }
}
