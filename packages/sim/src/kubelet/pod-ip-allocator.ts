import { ipToNumber, numberToIp } from "../network/address-plan.ts";

/**
 * Hands out pod IPs from the member's pod range, lowest free first, and takes
 * back those of pods that are gone. Rebuilt from existing pods at start.
 */
export class PodIpAllocator {
  #range: readonly [number, number];
  #used = new Map<number, string>();
  #next: number;

  constructor(range: readonly [number, number]) {
    this.#range = range;
    this.#next = range[0];
  }

  /** Marks an address as taken by `owner` (a pod uid), e.g. one found at start. */
  reserve(ip: string, owner: string): void {
    const value = ipToNumber(ip);
    if (value >= this.#range[0] && value <= this.#range[1]) this.#used.set(value, owner);
  }

  /** The address `owner` holds, or a fresh one. Throws when the range is exhausted. */
  allocate(owner: string): string {
    for (const [value, holder] of this.#used) if (holder === owner) return numberToIp(value);
    const size = this.#range[1] - this.#range[0] + 1;
    for (let i = 0; i < size; i++) {
      const candidate = this.#range[0] + ((this.#next - this.#range[0] + i) % size);
      const low = candidate & 255;
      if (low === 0 || low === 255 || this.#used.has(candidate)) continue;
      this.#used.set(candidate, owner);
      this.#next = candidate + 1;
      return numberToIp(candidate);
    }
    throw new Error("pod IP range exhausted");
  }

  release(owner: string): void {
    for (const [value, holder] of this.#used) if (holder === owner) this.#used.delete(value);
  }

  get size(): number {
    return this.#used.size;
  }
}
