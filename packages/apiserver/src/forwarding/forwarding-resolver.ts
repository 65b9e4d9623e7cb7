/**
 * Where and how to reach one member's API server. TLS fields are PEM text;
 * without `caPem` the system's trusted CAs verify the member.
 */
export type ForwardTarget = {
  /** The member's API server URL, e.g. `https://127.1.0.1:6443`; a path here prefixes every forwarded path. */
  server: string;
  caPem?: string;
  /** Sent as `Authorization: Bearer …` in place of the caller's credentials. */
  token?: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  /** Skips verification of the member's serving certificate. */
  insecureSkipTLSVerify?: boolean;
};

/**
 * Maps a member name to its API server. The API server knows nothing about
 * members beyond what this returns.
 */
export interface ForwardingResolver {
  /**
   * The member's target, or a `StatusError`: NotFound (no such member),
   * ServiceUnavailable (disabled or unreachable — the message says which and why).
   */
  resolve(name: string): Promise<ForwardTarget>;
}
