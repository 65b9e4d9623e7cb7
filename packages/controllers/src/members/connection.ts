import type { KubeClient } from "@atoll/kube";

/** A raw answer from a member's API server (health, version, discovery). */
export type RawResponse = { status: number; body: string };

/** How the hub talks to one member: the typed API, plus raw GETs for probes and discovery. */
export interface MemberConnection {
  readonly client: KubeClient;
  /** The API server URL from the kubeconfig. */
  readonly server: string;
  /** The CA the kubeconfig trusts (PEM or base64 data), if any; with `server`, what identifies a cluster. */
  readonly caData: string | undefined;
  /** A GET that never throws on a non-2xx answer (network failures do throw). */
  get(path: string, options?: { accept?: string; timeoutMs?: number }): Promise<RawResponse>;
  close(): void;
}

/** Why a member could not be joined: the `reason` of its Joined=False condition. */
export const JoinFailure = {
  SecretNotFound: "SecretNotFound",
  InvalidKubeconfig: "InvalidKubeconfig",
  ContextNotFound: "ContextNotFound",
  Unreachable: "Unreachable",
  /** The member answers but its serving certificate does not verify against the kubeconfig's CA. */
  CertificateInvalid: "CertificateInvalid",
  DuplicateMember: "DuplicateMember",
  BootstrapFailed: "BootstrapFailed",
} as const;
export type JoinFailure = (typeof JoinFailure)[keyof typeof JoinFailure];

/** A member that cannot be joined, with the condition reason to show. */
export class JoinError extends Error {
  readonly reason: JoinFailure;
  constructor(reason: JoinFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "JoinError";
    this.reason = reason;
  }
}

/**
 * Opens a connection from kubeconfig text and a context (the kubeconfig's
 * current one when absent). Throws a JoinError (InvalidKubeconfig, ContextNotFound).
 */
export type Connector = (kubeconfig: string, context: string | undefined) => MemberConnection;
