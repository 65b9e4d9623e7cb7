/**
 * A status with its zero counters left out, as Go's `omitempty` writes them;
 * `keep` names the fields that are written even when zero (e.g. `replicas`).
 */
export function omitZero<T extends Record<string, unknown>>(status: T, keep: readonly string[] = []): T {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(status)) {
    if (value === undefined) continue;
    if (
      !keep.includes(field) &&
      (value === 0 || value === "" || (Array.isArray(value) && value.length === 0))
    ) {
      continue;
    }
    out[field] = value;
  }
  return out as T;
}

/** A failure's message, for conditions. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
