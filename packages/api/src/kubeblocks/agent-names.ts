/**
 * The protocol between the hub's instance controller and the per-pod agent
 * (KubeBlocks' kbagent) that a simulated member plays for its pods: the hub
 * writes requests as pod annotations in the member, the agent answers in the
 * pod's labels and annotations, all through the member's Kubernetes API.
 * Values are JSON. See packages/sim/src/agent/README.md.
 */

/** Pod annotations of the agent protocol. */
export const AgentAnnotations = {
  /**
   * Written by the hub: an `AgentRoleProbe`. While the container runs as a
   * real process, the agent runs the command every period and keeps the pod's
   * `kubeblocks.io/role` label equal to the role it prints (the last non-empty
   * line of stdout); it removes the label after `failureThreshold` failures in
   * a row, and at once when the container stops running.
   */
  roleProbe: "agent.atoll.io/role-probe",
  /**
   * Written by the hub: an `AgentActionRequest`. The agent runs it once per
   * new `id` (one at a time per pod) and answers in `actionResult`.
   */
  actionRequest: "agent.atoll.io/action-request",
  /** Written by the agent: the `AgentActionResult` of the last request it ran. */
  actionResult: "agent.atoll.io/action-result",
} as const;

/** The value of `AgentAnnotations.roleProbe`. */
export type AgentRoleProbe = {
  /** The container to run in; default the pod's first container. */
  container?: string;
  /** The command (no shell: use `["sh", "-c", "…"]`). */
  command: string[];
  /** Seconds between the end of one probe and the start of the next; default 1. */
  periodSeconds?: number;
  /** A probe running longer is killed and counts as a failure; default 2. */
  timeoutSeconds?: number;
  /** Consecutive failures that remove the role label; default 3. */
  failureThreshold?: number;
};

/** Defaults of `AgentRoleProbe`'s optional fields. */
export const ROLE_PROBE_DEFAULTS = { periodSeconds: 1, timeoutSeconds: 2, failureThreshold: 3 } as const;

/** The value of `AgentAnnotations.actionRequest`. */
export type AgentActionRequest = {
  /** Unique per request: a request whose id equals the result's id is done and never run again. */
  id: string;
  /** The container to run in; default the pod's first container. */
  container?: string;
  command: string[];
  /** Added to (and overriding) the container's own environment. */
  env?: Record<string, string>;
  /** The command is killed after this long (exitCode null); default 30. */
  timeoutSeconds?: number;
};

/** Default `AgentActionRequest.timeoutSeconds`. */
export const ACTION_DEFAULT_TIMEOUT_SECONDS = 30;

/** The value of `AgentAnnotations.actionResult`. */
export type AgentActionResult = {
  /** The request's id. */
  id: string;
  /** The command's exit code; null when it did not run to an exit (timed out, container not running, invalid request). */
  exitCode: number | null;
  /** Combined stdout and stderr, the last `ACTION_OUTPUT_LIMIT_BYTES`; or why the command did not run. */
  output: string;
  /** ISO 8601 times. */
  startedAt: string;
  finishedAt: string;
};

/** How much of an action's output its result keeps (the end of it). */
export const ACTION_OUTPUT_LIMIT_BYTES = 4096;
