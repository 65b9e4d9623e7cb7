import { type ContainerRecord, isRunning, isTerminated } from "./container-state.ts";

export type PodPhase = "Pending" | "Running" | "Succeeded" | "Failed";

/**
 * The pod phase from its containers, as the kubelet computes it: Pending until
 * every container has started once; Succeeded/Failed when all have terminated
 * for good; Running otherwise.
 */
export function podPhase(records: ContainerRecord[], restartPolicy: string, initialized: boolean): PodPhase {
  if (!initialized || records.length === 0) return "Pending";
  const terminated = records.filter((r) => isTerminated(r.state));
  const restarting = records.some(
    (r) => "waiting" in r.state && r.state.waiting.reason === "CrashLoopBackOff",
  );
  if (terminated.length === records.length && !restarting) {
    const failed = terminated.some((r) => isTerminated(r.state) && r.state.terminated.exitCode !== 0);
    if (!failed) return "Succeeded";
    // With Always or OnFailure a failed container is about to be restarted.
    return restartPolicy === "Never" ? "Failed" : "Running";
  }
  if (records.some((r) => isRunning(r.state) || isTerminated(r.state) || r.restartCount > 0))
    return "Running";
  return "Pending";
}

type Condition = Record<string, unknown>;

/** The pod's conditions, keeping transition times of those that did not change. */
export function podConditions(options: {
  records: ContainerRecord[];
  initialized: boolean;
  phase: PodPhase;
  previous: Condition[];
  now: string;
}): Condition[] {
  const { records, initialized, phase, previous, now } = options;
  const condition = (type: string, ok: boolean, reason?: string, message?: string): Condition => {
    const before = previous.find((c) => c.type === type);
    const status = ok ? "True" : "False";
    return {
      type,
      status,
      lastProbeTime: null,
      lastTransitionTime: before && before.status === status ? before.lastTransitionTime : now,
      ...(reason ? { reason } : {}),
      ...(message ? { message } : {}),
    };
  };
  const done = phase === "Succeeded" || phase === "Failed";
  const notReady = records.filter((r) => !r.ready).map((r) => r.name);
  const ready = !done && notReady.length === 0 && records.length > 0;
  const readyReason = done ? "PodCompleted" : "ContainersNotReady";
  const readyMessage = done ? undefined : `containers with unready status: [${notReady.join(" ")}]`;
  const scheduled = previous.find((c) => c.type === "PodScheduled");
  return [
    condition("PodReadyToStartContainers", !done),
    condition("Initialized", initialized, initialized ? undefined : "ContainersNotInitialized"),
    condition("Ready", ready, ready ? undefined : readyReason, ready ? undefined : readyMessage),
    condition("ContainersReady", ready, ready ? undefined : readyReason, ready ? undefined : readyMessage),
    scheduled ?? condition("PodScheduled", true),
  ];
}
