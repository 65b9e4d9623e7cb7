import type { Informer } from "./informer.ts";
import { objectKeyOf } from "./informer.ts";
import { KeyQueue } from "./key-queue.ts";
import type { KubeObject } from "./object.ts";

export { TerminalError } from "./key-queue.ts";

/** What a reconcile asks for next: nothing, or another pass after a delay. */
export type ReconcileResult = { requeueAfterMs?: number } | undefined;

/** Something a Manager starts and stops: controllers, informers, servers. */
export interface Runnable {
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}

export type ControllerOptions = {
  name: string;
  /** Reads current state for `key` and moves it toward the desired state; throwing retries with back-off. */
  reconcile(key: string): Promise<ReconcileResult>;
  onError?(controller: string, key: string, error: unknown): void;
  /** Different keys reconciled at once (default 1). */
  concurrency?: number;
};

/**
 * A level-triggered controller as controller-runtime's: informer events become
 * keys in a de-duplicating queue; one reconcile per key at a time.
 */
export class Controller implements Runnable {
  readonly name: string;
  #queue: KeyQueue;
  #sources: Array<{ informer: Informer; map: (object: KubeObject) => string[] }> = [];

  constructor(options: ControllerOptions) {
    this.name = options.name;
    this.#queue = new KeyQueue({
      reconcile: options.reconcile,
      onError: (key, error) => options.onError?.(options.name, key, error),
      concurrency: options.concurrency,
    });
  }

  /**
   * Enqueues keys for every change the informer sees: by default the object's
   * own key; `map` turns an object into the keys it affects (e.g. its owner).
   */
  watches(informer: Informer, map: (object: KubeObject) => string[] = (o) => [objectKeyOf(o)]): this {
    this.#sources.push({ informer, map });
    informer.addHandlers({
      onAdd: (o) => this.#enqueueAll(map(o)),
      onUpdate: (o, old) => this.#enqueueAll([...map(o), ...map(old)]),
      onDelete: (o) => this.#enqueueAll(map(o)),
    });
    return this;
  }

  enqueue(key: string): void {
    this.#queue.add(key);
  }

  enqueueAfter(key: string, ms: number): void {
    this.#queue.addAfter(key, ms);
  }

  start(): void {}

  stop(): void {
    this.#queue.stop();
  }

  #enqueueAll(keys: string[]): void {
    for (const key of keys) this.#queue.add(key);
  }
}

/** Starts runnables in order and stops them in reverse. */
export class Manager {
  #runnables: Runnable[] = [];
  #started = false;

  add<T extends Runnable>(runnable: T): T {
    this.#runnables.push(runnable);
    if (this.#started) void runnable.start();
    return runnable;
  }

  async start(): Promise<void> {
    this.#started = true;
    for (const runnable of this.#runnables) await runnable.start();
  }

  async stop(): Promise<void> {
    this.#started = false;
    for (const runnable of [...this.#runnables].reverse()) await runnable.stop();
  }
}
