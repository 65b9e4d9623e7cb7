/**
 * A sorted set of strings kept as a list of small sorted chunks, so an insert or
 * removal costs a binary search plus a short splice instead of moving the whole
 * array, and ordered scans stay a plain walk over arrays.
 *
 * Keys are ordered by UTF-16 code units (JavaScript's `<`), which matches byte
 * order for every key without characters above U+D7FF.
 */
export class SortedKeys {
  readonly #chunkSize: number;
  #chunks: string[][] = [];
  #size = 0;

  /** `chunkSize` bounds the splice cost of one insert; the default (512) suits 10^3–10^6 keys. */
  constructor(options: { chunkSize?: number } = {}) {
    this.#chunkSize = Math.max(4, options.chunkSize ?? 512);
  }

  get size(): number {
    return this.#size;
  }

  /** Adds `key`; returns false when it was already present. */
  insert(key: string): boolean {
    const chunks = this.#chunks;
    if (chunks.length === 0) {
      chunks.push([key]);
      this.#size = 1;
      return true;
    }
    let c = this.#chunkFor(key);
    if (c === chunks.length) c -= 1; // beyond every key: append to the last chunk
    const chunk = chunks[c];
    const i = lowerBound(chunk, key);
    if (chunk[i] === key) return false;
    chunk.splice(i, 0, key);
    this.#size += 1;
    if (chunk.length > this.#chunkSize) chunks.splice(c + 1, 0, chunk.splice(chunk.length >> 1));
    return true;
  }

  /** Removes `key`; returns false when it was absent. */
  remove(key: string): boolean {
    const c = this.#chunkFor(key);
    const chunk = this.#chunks[c];
    if (chunk === undefined) return false;
    const i = lowerBound(chunk, key);
    if (chunk[i] !== key) return false;
    chunk.splice(i, 1);
    this.#size -= 1;
    if (chunk.length === 0) this.#chunks.splice(c, 1);
    return true;
  }

  clear(): void {
    this.#chunks = [];
    this.#size = 0;
  }

  /**
   * Keys in ascending order starting at `start` (or just after it when `exclusive`).
   * The set must not change while the iteration is in progress.
   */
  *from(start: string, options: { exclusive?: boolean } = {}): Generator<string> {
    const chunks = this.#chunks;
    let c = this.#chunkFor(start);
    if (c === chunks.length) return;
    let i = lowerBound(chunks[c], start);
    if (options.exclusive && chunks[c][i] === start) i += 1;
    for (; c < chunks.length; c++, i = 0) {
      const chunk = chunks[c];
      for (; i < chunk.length; i++) yield chunk[i];
    }
  }

  /** Index of the first chunk whose last key is >= `key` (chunks.length when none is). */
  #chunkFor(key: string): number {
    const chunks = this.#chunks;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const chunk = chunks[mid];
      if (chunk[chunk.length - 1] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function lowerBound(sorted: string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
