/** Longest stretch a queue's worker runs before letting the event loop breathe. */
const YIELD_AFTER_MS = 5;

/** A reconcile failure that retrying cannot fix (bad input): logged, not retried. */
export class TerminalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TerminalError";
  }
}

/**
 * A work queue of keys, as controller-runtime's: duplicates merge while
 * waiting, a key is never processed twice at once, failures retry with
 * exponential back-off, and `requeueAfterMs` schedules another pass.
 */
export class KeyQueue {
  #pending = new Set<string>();
  #active = new Set<string>();
  #dirty = new Set<string>();
  #failures = new Map<string, number>();
  #timers = new Set<NodeJS.Timeout>();
  #delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  #reconcile: (key: string) => Promise<{ requeueAfterMs?: number } | undefined>;
  #onError: (key: string, error: unknown) => void;
  #workers = 0;
  #concurrency: number;
  #stopped = false;

  constructor(options: {
    reconcile: (key: string) => Promise<{ requeueAfterMs?: number } | undefined>;
    onError: (key: string, error: unknown) => void;
    /** Keys reconciled at once (different keys only; default 1), as controller-runtime's MaxConcurrentReconciles. */
    concurrency?: number;
  }) {
    this.#reconcile = options.reconcile;
    this.#onError = options.onError;
    this.#concurrency = Math.max(1, options.concurrency ?? 1);
  }

  add(key: string): void {
    if (this.#stopped) return;
    if (this.#active.has(key)) {
      this.#dirty.add(key);
      return;
    }
    this.#pending.add(key);
    if (this.#workers < this.#concurrency && this.#workers < this.#pending.size + this.#active.size) {
      this.#workers++;
      // A macrotask, not a microtask: events that arrive meanwhile merge into one pass,
      // and I/O and timers get their turn before the queue runs.
      setImmediate(() => void this.#drain());
    }
  }

  /** Adds `key` after `ms`; a key already waiting keeps only the earlier of the two times (as client-go's AddAfter). */
  addAfter(key: string, ms: number): void {
    if (this.#stopped) return;
    const at = Date.now() + ms;
    const waiting = this.#delayed.get(key);
    if (waiting && waiting.at <= at) return;
    if (waiting) {
      clearTimeout(waiting.timer);
      this.#timers.delete(waiting.timer);
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#delayed.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.#timers.add(timer);
    this.#delayed.set(key, { at, timer });
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#delayed.clear();
    this.#pending.clear();
  }

  async #drain(): Promise<void> {
    let sliceStart = performance.now();
    while (!this.#stopped && this.#pending.size > 0) {
      // In-process clients resolve as microtasks; without yielding, a cascade of
      // reconciles would keep the event loop from I/O and timers.
      if (performance.now() - sliceStart > YIELD_AFTER_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
        if (this.#pending.size === 0) break;
      }
      const key = this.#pending.values().next().value as string;
      this.#pending.delete(key);
      this.#active.add(key);
      try {
        const result = await this.#reconcile(key);
        this.#failures.delete(key);
        if (result?.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
      } catch (error) {
        const failures = (this.#failures.get(key) ?? 0) + 1;
        this.#failures.set(key, failures);
        this.#onError(key, error);
        if (!(error instanceof TerminalError)) this.addAfter(key, Math.min(5 * 2 ** failures, 10_000));
      } finally {
        this.#active.delete(key);
        if (this.#dirty.delete(key)) this.#pending.add(key);
      }
    }
    this.#workers--;
  }
}
