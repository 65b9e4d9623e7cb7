export type LoadOptions = {
  /** Tasks in flight at once. */
  concurrency: number;
  /** At most this many tasks start… */
  count: number;
  /** …and none starts after this long. */
  deadlineMs: number;
  task: (index: number) => Promise<void>;
  now: () => number;
};

export type LoadResult = {
  completed: number;
  failed: number;
  elapsedMs: number;
  /** Completed tasks per second of wall time. */
  perSecond: number;
  firstError?: string;
};

/** Runs `task(0…count-1)` with a fixed number in flight, bounded by count and deadline. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { concurrency, count, task, now } = options;
  const start = now();
  const deadline = start + options.deadlineMs;
  let next = 0;
  let completed = 0;
  let failed = 0;
  let firstError: string | undefined;
  const worker = async () => {
    while (next < count && now() < deadline) {
      const index = next++;
      try {
        await task(index);
        completed++;
      } catch (error) {
        failed++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const elapsedMs = now() - start;
  return { completed, failed, elapsedMs, perSecond: completed / (elapsedMs / 1000), firstError };
}
