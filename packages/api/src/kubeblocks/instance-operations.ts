/**
 * How operations (OpsRequests) ask the instance controller for what a spec
 * change cannot say: a restart and a switchover. Both are annotations on the
 * hub Cluster; their values are JSON. Stop/Start set `componentSpecs[].stop`,
 * HorizontalScaling `replicas`, VerticalScaling `resources` — spec fields the
 * instance controller acts on directly.
 */
export const InstanceOperationAnnotations = {
  /**
   * `{ [component]: ISO time }`: every replica of the component whose pod was
   * made before that time is re-created, one at a time (followers first, the
   * leader last), each waiting for the one before to be Ready with a role.
   * Replicas report `upToDate: false` until theirs is re-created.
   */
  restart: "instances.atoll.io/restart",
  /** A `SwitchoverRequest`: move leadership within a component (the definition's switchover action). */
  switchover: "instances.atoll.io/switchover",
  /** Written by the instance controller: the `SwitchoverResult` of the last request it ran. */
  switchoverResult: "instances.atoll.io/switchover-result",
} as const;

export type RestartRequest = Record<string, string>;

export type SwitchoverRequest = {
  /** Unique per request (an OpsRequest's uid): a request whose id equals the result's is done. */
  id: string;
  component: string;
  /** The pod to become leader; absent or "*" lets the definition's action pick. */
  candidate?: string;
};

export type SwitchoverResult = {
  id: string;
  /** True when the action exited 0 (leadership moving is then up to the engine; watch the roles). */
  succeeded: boolean;
  /** The pod the action ran on (the leader at the time), if any. */
  ranOn?: string;
  message: string;
  finishedAt: string;
};
