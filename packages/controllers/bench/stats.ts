/** The nearest-rank percentile (0–100) of `values`; NaN when empty. Does not modify `values`. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Count, p50, p99 and max of a sample, in its unit. */
export type Summary = { count: number; p50: number; p99: number; max: number };

/** p50, p99 and max of `values` (NaN when empty), rounded to 0.1. */
export function summarize(values: ArrayLike<number>): Summary {
  return {
    count: values.length,
    p50: round(percentile(values, 50), 1),
    p99: round(percentile(values, 99), 1),
    max: round(values.length ? Math.max(...Array.from(values)) : Number.NaN, 1),
  };
}

/** `value` rounded to `digits` decimals (JSON stays readable). */
export function round(value: number, digits = 0): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export const MiB = 1024 * 1024;
