/** The nearest-rank percentile (0–100) of `values`; NaN when empty. Does not modify `values`. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function median(values: ArrayLike<number>): number {
  return percentile(values, 50);
}

export type Summary = { count: number; p50: number; p99: number; max: number };

export function summarize(values: ArrayLike<number>): Summary {
  return {
    count: values.length,
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    max: values.length ? Math.max(...Array.from(values)) : Number.NaN,
  };
}

/** `value` rounded to `digits` decimals (JSON stays readable). */
export function round(value: number, digits = 0): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export const MiB = 1024 * 1024;
