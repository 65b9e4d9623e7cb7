export type Storage = "memory" | "sqlite";

/** Sizes and time bounds of one run; every loop is bounded by both a count and a deadline. */
export type BenchConfig = {
  /** Storage backends the single-member phases (rollout, ramp, memory per pod) run against, in order. */
  storages: Storage[];
  /** The single member's id (it owns 127.<id>.0.0/16) and the API port every member of the run uses. */
  memberId: number;
  port: number;
  /** Nodes of the single member: enough capacity (110 pods each) for `rampSteps`' last figure. */
  memberNodes: number;
  rolloutReplicas: number;
  rolloutRuns: number;
  /** Replicas the ramp deployment is scaled to, step by step; memory is read (after GC) at each. */
  rampSteps: number[];
  /** Members per process, tried in order until RSS passes `rssLimitBytes` or a start fails. */
  memberCounts: number[];
  /** The first member id of the members-per-process phase: ids run from here to here + N - 1 (≤ 200). */
  firstMemberId: number;
  nodesPerMember: number;
  podsPerMember: number;
  rssLimitBytes: number;
  /** Time bounds. */
  memberReadyDeadlineMs: number;
  /** Per-member start allowance in the members-per-process phase, added to `memberReadyDeadlineMs`. */
  perMemberStartMs: number;
  rolloutDeadlineMs: number;
  rampDeadlineMs: number;
  /** Per-member allowance for the 30-pod deployments to become Ready, on top of a fixed 30 s. */
  perMemberPodsMs: number;
  /** The members-per-process phase tries no further N when less than this is left of the total deadline. */
  minTimeForNextCountMs: number;
  /** The whole run is aborted, and everything it started stopped, after this long. */
  totalDeadlineMs: number;
};

/** The figures a member is expected to reach, printed beside the measured ones. */
export const TARGETS = {
  rolloutP50Ms: 2000,
  membersPerProcess: 100,
  rssLimitGiB: 2,
} as const;

export function defaultConfig(): BenchConfig {
  return {
    storages: ["memory", "sqlite"],
    memberId: 30,
    port: 17443,
    memberNodes: 20,
    rolloutReplicas: 100,
    rolloutRuns: 5,
    rampSteps: [1000, 2000],
    memberCounts: [10, 50, 100, 150, 171],
    firstMemberId: 30,
    nodesPerMember: 3,
    podsPerMember: 30,
    rssLimitBytes: 2 * 1024 ** 3,
    memberReadyDeadlineMs: 30_000,
    perMemberStartMs: 500,
    rolloutDeadlineMs: 30_000,
    rampDeadlineMs: 60_000,
    perMemberPodsMs: 500,
    minTimeForNextCountMs: 60_000,
    totalDeadlineMs: 330_000,
  };
}
