import { percentile, round } from "@atoll/bench-kit";

/** How fast a set of pods reached a state (Ready, or deleted), from the request that caused it. */
export type RampRate = {
  pods: number;
  /** Request → the last pod. */
  totalMs: number;
  /** pods / totalMs. */
  podsPerSecond: number;
  /** The middle 80 % of pods over the time they took: the sustained rate without start-up and tail. */
  sustainedPodsPerSecond: number;
  /** The most pods in any 1-second window. */
  peakPodsPerSecond: number;
};

/** Rates from the times (same clock as `startedAt`) at which each pod got there. */
export function rampRate(startedAt: number, times: number[]): RampRate {
  const sorted = [...times].sort((a, b) => a - b);
  const n = sorted.length;
  const totalMs = n ? sorted[n - 1] - startedAt : Number.NaN;
  const t10 = percentile(sorted, 10);
  const t90 = percentile(sorted, 90);
  let peak = 0;
  let from = 0;
  for (let to = 0; to < n; to++) {
    while (sorted[to] - sorted[from] > 1000) from++;
    peak = Math.max(peak, to - from + 1);
  }
  return {
    pods: n,
    totalMs: round(totalMs),
    podsPerSecond: round((n * 1000) / totalMs),
    sustainedPodsPerSecond: t90 > t10 ? round((0.8 * n * 1000) / (t90 - t10)) : Number.NaN,
    peakPodsPerSecond: peak,
  };
}
