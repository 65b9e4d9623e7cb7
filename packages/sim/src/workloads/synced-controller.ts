import {
  type Clock,
  Controller,
  type Informer,
  type KubeClient,
  type ReconcileResult,
  type Runnable,
  StatusError,
} from "@atoll/kube";
import type { EventRecorder } from "../events/recorder.ts";
import type { WorkloadInformers } from "./informers.ts";

/** What every workload controller is built from. */
export type WorkloadControllerOptions = {
  client: KubeClient;
  informers: WorkloadInformers;
  clock: Clock;
  /** Reconcile failures (they are retried with back-off); Conflicts are not reported, only retried. */
  onError?: (controller: string, key: string, error: unknown) => void;
  /** The recorder each controller writes its Events with, by component name; none by default. */
  events?: (component: string) => EventRecorder;
};

/** Records nothing: for controllers run without Events. */
export const NO_EVENTS: EventRecorder = { event() {} };

/** How soon a reconcile that lost an optimistic-concurrency race runs again. */
const CONFLICT_RETRY_MS = 20;

/**
 * A `Controller` whose reconciles wait until `start()` and the first list of
 * each informer it reads, as kube-controller-manager waits for caches to sync
 * before starting workers: acting on a half-filled cache would create
 * duplicates. A Conflict (a write based on a stale read) requeues the key
 * quietly, since the informer will soon show the newer object.
 */
export class SyncedController implements Runnable {
  readonly controller: Controller;
  #informers: Informer[];
  #open: () => void = () => {};
  #gate: Promise<void>;

  constructor(options: {
    name: string;
    informers: Informer[];
    reconcile(key: string): Promise<ReconcileResult>;
    onError?: (controller: string, key: string, error: unknown) => void;
  }) {
    this.#informers = options.informers;
    this.#gate = new Promise((resolve) => {
      this.#open = resolve;
    });
    this.controller = new Controller({
      name: options.name,
      onError: options.onError,
      reconcile: async (key) => {
        await this.#gate;
        try {
          return await options.reconcile(key);
        } catch (error) {
          if (error instanceof StatusError && error.reason === "Conflict")
            return { requeueAfterMs: CONFLICT_RETRY_MS };
          throw error;
        }
      },
    });
  }

  /** Returns at once (a Manager may start the informers later); reconciles begin once they have synced. */
  start(): void {
    void Promise.all(this.#informers.map((informer) => informer.synced())).then(this.#open);
  }

  stop(): void {
    this.controller.stop();
  }
}
