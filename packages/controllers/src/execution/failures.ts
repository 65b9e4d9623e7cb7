import { StatusError } from "@atoll/kube";

/**
 * Status reasons that say "try again later": the request was fine, the member
 * was not. NotFound is among them: an apply creates what is missing, so it
 * means the member does not serve the kind yet (a CRD applied just before,
 * not yet established).
 */
const TRANSIENT_REASONS = new Set<string>([
  "NotFound",
  "InternalError",
  "ServiceUnavailable",
  "Timeout",
  "TooManyRequests",
  "Conflict",
]);

/**
 * Whether a failed member request may succeed unchanged later (a network
 * failure, an overloaded or restarting API server), as opposed to a refusal
 * of what was sent (Invalid, BadRequest, Forbidden…), which only a new Work
 * spec can fix.
 */
export function transient(error: unknown): boolean {
  if (!(error instanceof StatusError)) return true;
  // A namespace being deleted refuses new content until it is gone; then it is recreated.
  if (error.details?.causes?.some((c) => c.reason === "NamespaceTerminating")) return true;
  return TRANSIENT_REASONS.has(error.reason);
}

/** A reconcile that wrote what it could and must be retried with back-off. */
export class RetryLater extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RetryLater";
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
