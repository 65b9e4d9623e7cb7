/**
 * Runs `count` calls in batches of 1, 2, 4… (Kubernetes' slow start), so a
 * call that always fails (quota, validation) fails once, not `count` times.
 * Resolves with the first failure, or undefined.
 */
export async function slowStartBatch(count: number, call: () => Promise<void>): Promise<unknown> {
  let remaining = count;
  for (let size = Math.min(1, remaining); remaining > 0; size = Math.min(size * 2, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: size }, () => call()));
    const failed = results.find((r) => r.status === "rejected");
    if (failed) return failed.reason;
    remaining -= size;
  }
  return undefined;
}
