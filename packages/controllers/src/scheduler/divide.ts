/** One share-holder in a weighted division. */
export type WeightEntry = {
  name: string;
  /** A non-negative integer; 0 takes nothing. */
  weight: number;
  /** What it held before: breaks remainder ties so leftovers stay where they were. */
  previous?: number;
  /** The most it may take; unbounded when absent. */
  cap?: number;
};

/**
 * Splits `total` in proportion to integer weights: each entry first gets the
 * floor of its exact share, then the leftover replicas go one each to the
 * largest fractional remainders, ties broken by larger weight, then more
 * previous replicas, then name. 10 over weights 1:1:1 on a, b, c is 4/3/3
 * with a getting 4. An entry never gets more than its exact share rounded up.
 */
export function divideByWeight(total: number, entries: readonly WeightEntry[]): Map<string, number> {
  const result = new Map<string, number>(entries.map((e) => [e.name, 0]));
  const weighted = entries.filter((e) => e.weight > 0);
  const sum = weighted.reduce((s, e) => s + e.weight, 0);
  if (total <= 0 || sum === 0) return result;
  let left = total;
  const remainders = weighted.map((e) => {
    const exact = e.weight * total;
    const share = Math.floor(exact / sum);
    result.set(e.name, share);
    left -= share;
    return { entry: e, remainder: exact - share * sum };
  });
  remainders.sort(
    (a, b) =>
      b.remainder - a.remainder ||
      b.entry.weight - a.entry.weight ||
      (b.entry.previous ?? 0) - (a.entry.previous ?? 0) ||
      (a.entry.name < b.entry.name ? -1 : a.entry.name > b.entry.name ? 1 : 0),
  );
  for (let i = 0; left > 0; i++, left--) {
    const name = remainders[i % remainders.length].entry.name;
    result.set(name, (result.get(name) ?? 0) + 1);
  }
  return result;
}

/**
 * `divideByWeight` where no entry exceeds its cap: entries whose share would
 * pass their cap are pinned at it and the rest is divided again among the
 * others by weight (water-filling). Undefined when the caps of the weighted
 * entries cannot hold `total`.
 */
export function divideWithCaps(
  total: number,
  entries: readonly WeightEntry[],
): Map<string, number> | undefined {
  const result = new Map<string, number>(entries.map((e) => [e.name, 0]));
  let pool = entries.filter((e) => e.weight > 0 && (e.cap ?? 1) > 0);
  let left = total;
  while (left > 0) {
    if (pool.length === 0) return undefined;
    const shares = divideByWeight(left, pool);
    const over = pool.filter((e) => e.cap !== undefined && (shares.get(e.name) ?? 0) > e.cap);
    if (over.length === 0) {
      for (const [name, share] of shares) result.set(name, share);
      return result;
    }
    for (const e of over) {
      result.set(e.name, e.cap ?? 0);
      left -= e.cap ?? 0;
    }
    pool = pool.filter((e) => !over.includes(e));
  }
  return result;
}
