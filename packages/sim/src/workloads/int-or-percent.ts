/**
 * Resolves an IntOrString such as `maxSurge: "25%"` or `maxUnavailable: 1`
 * against `total`, as `intstr.GetScaledValueFromIntOrPercent`: a percentage is
 * scaled and rounded up or down; an integer (or integer string) is taken as is;
 * anything else resolves to `fallback`.
 */
export function scaledValue(
  value: number | string | undefined | null,
  total: number,
  options: { roundUp: boolean; fallback?: number },
): number {
  const fallback = options.fallback ?? 0;
  if (value === undefined || value === null) return fallback;
  if (typeof value === "number") return Number.isFinite(value) ? Math.trunc(value) : fallback;
  const percent = /^(\d+)%$/.exec(value);
  if (percent) {
    const scaled = (Number(percent[1]) * total) / 100;
    return options.roundUp ? Math.ceil(scaled) : Math.floor(scaled);
  }
  return /^\d+$/.test(value) ? Number(value) : fallback;
}
