export type WatchRun = { writes: number; writesPerSecond: number };

/** Sizes, rates and time bounds of one benchmark run; every loop is bounded by both a count and a deadline. */
export type BenchConfig = {
  /** Requests in flight for the throughput and seeding phases. */
  concurrency: number;
  /** Uncounted creates and gets run first so the server's JIT is warm before measuring. */
  warmupRequests: number;
  /** Each of creates, updates and gets runs this many rounds; the report gives the median round. */
  rounds: number;
  requestsPerRound: number;
  roundDeadlineMs: number;
  listPods: number;
  seedDeadlineMs: number;
  lists: number;
  pagedLists: number;
  pageLimit: number;
  listDeadlineMs: number;
  watchers: number;
  watchClients: number;
  /** Each run opens fresh watchers, then writes `writes` objects at `writesPerSecond` while they listen. */
  watchRuns: WatchRun[];
  watchConnectDeadlineMs: number;
  /** How long after the last write the watchers may take to receive everything. */
  watchDrainDeadlineMs: number;
  serverReadyDeadlineMs: number;
  /** The whole run is aborted, and everything it started stopped, after this long. */
  totalDeadlineMs: number;
};

/** The figures the server is expected to reach, printed beside the measured ones. */
export const TARGETS = {
  createsPerSecond: { memory: 4000, sqlite: 2000 },
  list10kP99Ms: 200,
  watchP99Ms: 100,
} as const;

export function defaultConfig(cores: number): BenchConfig {
  return {
    concurrency: 64,
    warmupRequests: 500,
    rounds: 3,
    requestsPerRound: 2000,
    roundDeadlineMs: 5000,
    listPods: 10_000,
    seedDeadlineMs: 40_000,
    lists: 20,
    pagedLists: 3,
    pageLimit: 500,
    listDeadlineMs: 25_000,
    watchers: 1000,
    // The server needs cores too; more client processes than cores only adds scheduling noise.
    watchClients: Math.max(2, Math.min(4, cores - 1)),
    // 25/s is well within what one core fans out to 1,000 watchers; 50/s is near where it saturates.
    watchRuns: [
      { writes: 100, writesPerSecond: 25 },
      { writes: 200, writesPerSecond: 50 },
    ],
    watchConnectDeadlineMs: 20_000,
    watchDrainDeadlineMs: 10_000,
    serverReadyDeadlineMs: 30_000,
    totalDeadlineMs: 180_000,
  };
}
