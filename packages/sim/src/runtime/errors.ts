/**
 * Why the runtime could not prepare or start a container, named as the kubelet
 * names the matching container waiting reasons and events, so the lifecycle
 * code can copy `reason` into the pod's status.
 */
export const RuntimeErrorReason = {
  /** A referenced ConfigMap, Secret or key is missing (env, envFrom). */
  CreateContainerConfigError: "CreateContainerConfigError",
  /** A volume could not be materialized (missing source, unbound claim, unsupported type). */
  FailedMount: "FailedMount",
  /** The container spec cannot be turned into a process (bad subPath, mount target conflicts). */
  CreateContainerError: "CreateContainerError",
  /** The process could not be started (sandbox setup failed, executable missing). */
  RunContainerError: "RunContainerError",
} as const;
export type RuntimeErrorReason = (typeof RuntimeErrorReason)[keyof typeof RuntimeErrorReason];

/** A failure with a stable `reason`; code branches on the reason, never on the message. */
export class RuntimeError extends Error {
  readonly reason: RuntimeErrorReason;
  constructor(reason: RuntimeErrorReason, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "RuntimeError";
    this.reason = reason;
  }
}
