import type { Clock } from "@atoll/kube";

export type EvictionLimiterOptions = {
  /** Evictions per second, > 0. */
  perSecond: number;
  /** Evictions allowed at once after a quiet spell (default 1, as Kubernetes' node eviction queue). */
  burst?: number;
  clock: Clock;
};

export type Grant = { granted: true } | { granted: false; retryAt: Date };

/**
 * A token bucket over a passed-in clock that hands out reservations, as
 * Go's rate.Limiter does: a key that finds no token gets the next free slot
 * and comes back at that time to take it, instead of every waiting key
 * waking up at each refill and racing for one token. Keys are served in the
 * order they first asked.
 */
export class EvictionLimiter {
  #perMs: number;
  #burst: number;
  #clock: Clock;
  #tokens: number;
  #last: number;
  /** Keys holding a future token, by when it is theirs. */
  #reserved = new Map<string, number>();

  constructor(options: EvictionLimiterOptions) {
    if (!(options.perSecond > 0))
      throw new RangeError(`evictions per second must be > 0, not ${options.perSecond}`);
    this.#perMs = options.perSecond / 1000;
    this.#burst = Math.max(1, options.burst ?? 1);
    this.#clock = options.clock;
    this.#tokens = this.#burst;
    this.#last = options.clock.now().getTime();
  }

  /** Takes a token for `key` if one is free now or the key's reservation is due; otherwise says when to come back. */
  take(key: string): Grant {
    const now = this.#clock.now().getTime();
    const due = this.#reserved.get(key);
    if (due !== undefined) {
      if (now < due) return { granted: false, retryAt: new Date(due) };
      this.#reserved.delete(key);
      return { granted: true };
    }
    this.#refill(now);
    this.#tokens -= 1;
    if (this.#tokens >= 0) return { granted: true };
    const at = now + -this.#tokens / this.#perMs;
    this.#reserved.set(key, at);
    return { granted: false, retryAt: new Date(at) };
  }

  /** Gives back `key`'s reservation when it no longer needs one; the keys behind it move up. */
  release(key: string): void {
    const due = this.#reserved.get(key);
    if (due === undefined) return;
    this.#reserved.delete(key);
    this.#refill(this.#clock.now().getTime());
    this.#tokens += 1;
    const slot = 1 / this.#perMs;
    for (const [other, at] of this.#reserved) if (at > due) this.#reserved.set(other, at - slot);
  }

  /** Keys holding a reservation. */
  get waiting(): number {
    return this.#reserved.size;
  }

  #refill(now: number): void {
    this.#tokens = Math.min(this.#burst, this.#tokens + Math.max(0, now - this.#last) * this.#perMs);
    this.#last = Math.max(this.#last, now);
  }
}
