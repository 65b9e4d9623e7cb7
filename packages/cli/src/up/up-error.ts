/**
 * Why `atoll up` or `atoll down` failed, each with the exit code scripts can
 * rely on. Commander's own parse errors (unknown option, bad number) exit 2 too.
 */
export const UP_FAILURES = {
  /** Something failed that the user cannot fix with a flag (see the message and the logs). */
  Failed: 1,
  /** Invalid or unsupported settings, or settings that contradict the data dir's fleet. */
  Invalid: 2,
  /** A fleet is already running from this data dir. */
  DataDirInUse: 3,
  /** The hub port or a member's address is taken. */
  PortInUse: 4,
  /** The fleet started but not every member became Ready in time. */
  NotReady: 5,
} as const;

export type UpFailure = keyof typeof UP_FAILURES;

/** A failure of `atoll up`/`down` whose message says what to do next. */
export class UpError extends Error {
  readonly reason: UpFailure;

  constructor(reason: UpFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "UpError";
    this.reason = reason;
  }

  get exitCode(): number {
    return UP_FAILURES[this.reason];
  }
}

/** The exit code for any error: an UpError's own, 1 otherwise. */
export function exitCodeOf(error: unknown): number {
  return error instanceof UpError ? error.exitCode : UP_FAILURES.Failed;
}
