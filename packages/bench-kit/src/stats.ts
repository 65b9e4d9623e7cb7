/** The p-th percentile (nearest rank) of `values`; NaN when empty. */
export function percentile(values: ArrayLike<number>, p: number): number {
  return percentileOfSorted(Float64Array.from(values).sort(), p);
}

/** The p-th percentile (nearest rank) of already sorted values; NaN when empty. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function median(values: ArrayLike<number>): number {
  return percentile(values, 50);
}

/** Count, p50, p99 and max of a sample, in its unit. */
export type Summary = { count: number; p50: number; p99: number; max: number };

/** Count, p50, p99 and max of `values` (NaN when empty); with `digits`, rounded to that many decimals. */
export function summarize(values: ArrayLike<number>, digits?: number): Summary {
  const sorted = Float64Array.from(values).sort();
  const shown = (value: number) => (digits === undefined ? value : round(value, digits));
  return {
    count: sorted.length,
    p50: shown(percentileOfSorted(sorted, 50)),
    p99: shown(percentileOfSorted(sorted, 99)),
    max: shown(sorted.length ? sorted[sorted.length - 1] : Number.NaN),
  };
}

/** `value` rounded to `digits` decimals (JSON stays readable). */
export function round(value: number, digits = 0): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export const MiB = 1024 * 1024;
