/** Why a mesh operation failed: branch on these, never on message text. */
export const MeshFailure = {
  /** The member publishes no kube-system/atoll-cluster-info: not an Atoll sim member (or too old). */
  NoClusterInfo: "NoClusterInfo",
  /** The published identity cannot be read (missing field, bad range). */
  InvalidClusterInfo: "InvalidClusterInfo",
  /** The member's API server does not answer. */
  Unreachable: "Unreachable",
  /** The kubeconfig has no usable context for the member. */
  InvalidKubeconfig: "InvalidKubeconfig",
  /** Cilium's requirements are not met: names, ids or ranges clash. */
  RequirementsNotMet: "RequirementsNotMet",
} as const;
export type MeshFailure = (typeof MeshFailure)[keyof typeof MeshFailure];

/** A mesh operation that cannot go ahead, with a message naming the member(s) and what to do. */
export class MeshError extends Error {
  readonly reason: MeshFailure;
  constructor(reason: MeshFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MeshError";
    this.reason = reason;
  }
}
