/** Why a policy could not be applied: the `reason` of the condition the caller sets. */
export const OverrideFailure = {
  /** A bad operator, component or value, or a result that is not a valid image reference. */
  InvalidOverrider: "InvalidOverrider",
  /** remove/replace, an add's parent, or an image predicate points at nothing. */
  PathNotFound: "PathNotFound",
  /** An image in the template cannot be parsed as a reference. */
  InvalidImage: "InvalidImage",
} as const;
export type OverrideFailure = (typeof OverrideFailure)[keyof typeof OverrideFailure];

/** Where a failure happened; set once the error has crossed a policy boundary. */
export type OverrideSource = {
  kind: "ClusterOverridePolicy" | "OverridePolicy";
  namespace?: string;
  name: string;
  /** Index into the policy's overrideRules. */
  rule: number;
};

/**
 * An override policy that cannot be applied to a template. Overriders throw it
 * without `source`; `applyOverrides` rethrows it with the policy and rule named
 * in the message and in `source`, the original as `cause`.
 */
export class OverrideError extends Error {
  readonly reason: OverrideFailure;
  readonly source: OverrideSource | undefined;
  constructor(
    reason: OverrideFailure,
    message: string,
    options?: { cause?: unknown; source?: OverrideSource },
  ) {
    super(message, { cause: options?.cause });
    this.name = "OverrideError";
    this.reason = reason;
    this.source = options?.source;
  }
}
