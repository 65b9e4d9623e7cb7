import type { Random } from "@atoll/kube";

/** What claiming a specific value gave. */
export type ClaimResult = "claimed" | "held" | "taken" | "out-of-range";

/**
 * How free values are chosen:
 * - `random-offset`: kube-apiserver's bitmap allocator (`RandomScanStrategyWithOffset`):
 *   a random free value from the upper band, the lower `offset` values being
 *   kept for values users ask for, falling back to the lower band when the
 *   upper one is full. One range only.
 * - `lowest-first`: MetalLB's: the first free value of the first range that has one.
 */
export type AllocationStrategy =
  | { kind: "random-offset"; offset: number; random: Random }
  | { kind: "lowest-first" };

/** The static band kube-apiserver keeps for requested values: size/step, clamped to [min, max]; 0 for tiny ranges. */
export function rangeOffset(size: number, bounds: { min: number; max: number; step: number }): number {
  if (size < bounds.min) return 0;
  return Math.min(Math.max(Math.floor(size / bounds.step), bounds.min), bounds.max);
}

/**
 * Values (IPs as 32-bit numbers, ports) handed out from inclusive ranges to
 * owners (object keys). In memory only: the objects themselves are the record,
 * and the table is rebuilt from them after a restart.
 */
export class RangeAllocator {
  #ranges: ReadonlyArray<readonly [number, number]>;
  #strategy: AllocationStrategy;
  #owners = new Map<number, string>();
  #releases = 0;

  constructor(ranges: ReadonlyArray<readonly [number, number]>, strategy: AllocationStrategy) {
    if (ranges.length === 0) throw new Error("an allocator needs at least one range");
    if (strategy.kind === "random-offset" && ranges.length !== 1) {
      throw new Error("the random-offset strategy allocates from exactly one range");
    }
    this.#ranges = ranges;
    this.#strategy = strategy;
  }

  /** The inclusive ranges values come from. */
  get ranges(): ReadonlyArray<readonly [number, number]> {
    return this.#ranges;
  }

  contains(value: number): boolean {
    return this.#ranges.some(([first, last]) => value >= first && value <= last);
  }

  ownerOf(value: number): string | undefined {
    return this.#owners.get(value);
  }

  /** Takes `value` for `owner` if it is in range and free (or already theirs). */
  claim(value: number, owner: string): ClaimResult {
    if (!this.contains(value)) return "out-of-range";
    const holder = this.#owners.get(value);
    if (holder === owner) return "held";
    if (holder !== undefined) return "taken";
    this.#owners.set(value, owner);
    return "claimed";
  }

  /** Takes a free value for `owner`, skipping those `avoid` names; undefined when none is left. */
  allocate(owner: string, avoid: (value: number) => boolean = () => false): number | undefined {
    const free = (value: number) => !this.#owners.has(value) && !avoid(value);
    const found = this.#strategy.kind === "lowest-first" ? this.#lowest(free) : this.#randomOffset(free);
    if (found !== undefined) this.#owners.set(found, owner);
    return found;
  }

  /** Gives `value` back if `owner` holds it. */
  release(value: number, owner: string): void {
    if (this.#owners.get(value) !== owner) return;
    this.#owners.delete(value);
    this.#releases++;
  }

  /** How many values are taken. */
  get used(): number {
    return this.#owners.size;
  }

  /** How many values have been given back so far: a change means something may now fit. */
  get releases(): number {
    return this.#releases;
  }

  #lowest(free: (value: number) => boolean): number | undefined {
    for (const [first, last] of this.#ranges) {
      for (let value = first; value <= last; value++) if (free(value)) return value;
    }
    return undefined;
  }

  #randomOffset(free: (value: number) => boolean): number | undefined {
    if (this.#strategy.kind !== "random-offset") return undefined;
    const [first, last] = this.#ranges[0];
    const offset = Math.min(this.#strategy.offset, last - first + 1);
    const random = this.#strategy.random;
    return scan(first + offset, last, free, random) ?? scan(first, first + offset - 1, free, random);
  }
}

/** From a random start, the first free value of [first, last], wrapping around. */
function scan(
  first: number,
  last: number,
  free: (value: number) => boolean,
  random: Random,
): number | undefined {
  const size = last - first + 1;
  if (size <= 0) return undefined;
  const start = Math.floor(random.next() * size);
  for (let i = 0; i < size; i++) {
    const value = first + ((start + i) % size);
    if (free(value)) return value;
  }
  return undefined;
}
