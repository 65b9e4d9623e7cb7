/** Sizes and time bounds of one run; every wait is bounded by a deadline. */
export type BenchConfig = {
  /** The API port of every member (its admin endpoint is the next one): not 6443, so tests on the same ids never collide. */
  memberPort: number;
  /** Member ids are picked, in consecutive runs, from `[firstId, lastId]` minus `avoidIds`. */
  firstId: number;
  lastId: number;
  /** Ids other suites use with fixed numbers (tests), skipped even when idle right now. */
  avoidIds: number[];
  /** At most this many members per `atoll sim` process (a batch of 100 runs as two processes of 50). */
  membersPerSim: number;
  /** Join→Ready of a single member, this many times in a row (unjoined between rounds). */
  singleRounds: number;
  /** Batches joined all at once, in order; the last one stays joined for the failure and idle phases. */
  batches: number[];
  /** Keep-alive connections to the hub for creates: enough that no create waits for a free one. */
  hubConnections: number;
  failureRepeats: number;
  /** Pause after the last join before the idle window opens, so first status writes are over. */
  idleSettleMs: number;
  idleWindowMs: number;
  /** Time bounds. */
  startDeadlineMs: number;
  readyDeadlineMs: number;
  unknownDeadlineMs: number;
  noExecuteDeadlineMs: number;
  recoveryDeadlineMs: number;
  /** The whole run is aborted, and everything it started stopped, after this long. */
  totalDeadlineMs: number;
};

/** The figures the member controller is expected to reach, printed beside the measured ones. */
export const TARGETS = {
  joinReadyP99Ms: 500,
  unreachableDetectedMs: 10_000,
  /** Karmada's default (cluster-monitor-grace-period 40 s), for comparison. */
  karmadaUnreachableMs: 40_000,
  idleCoresPer100Members: 0.05,
} as const;

export function defaultConfig(): BenchConfig {
  return {
    memberPort: 16443,
    firstId: 40,
    lastId: 200,
    avoidIds: [102, 103, 104, 111, 112, 113, 131, 132, 187],
    membersPerSim: 50,
    singleRounds: 5,
    batches: [10, 100],
    hubConnections: 100,
    failureRepeats: 3,
    idleSettleMs: 5000,
    idleWindowMs: 30_000,
    startDeadlineMs: 60_000,
    readyDeadlineMs: 30_000,
    unknownDeadlineMs: 30_000,
    noExecuteDeadlineMs: 60_000,
    recoveryDeadlineMs: 20_000,
    totalDeadlineMs: 330_000,
  };
}
