import { AGE, column, NAME, wide } from "../columns.ts";
import { humanDuration, parseTimestamp, timeSince } from "../human-duration.ts";
import type { Condition, Container, ObjectMeta } from "../kube-types.ts";
import type { Printer, TableRowCondition } from "../table.ts";

type Terminated = { reason?: string; exitCode?: number; signal?: number; finishedAt?: string };
type ContainerState = { waiting?: { reason?: string }; running?: object; terminated?: Terminated };
type ContainerStatus = {
  name?: string;
  ready?: boolean;
  started?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
};
type Pod = {
  metadata?: ObjectMeta;
  spec?: {
    containers?: Container[];
    initContainers?: Container[];
    nodeName?: string;
    readinessGates?: { conditionType?: string }[];
  };
  status?: {
    phase?: string;
    reason?: string;
    conditions?: Condition[];
    initContainerStatuses?: ContainerStatus[];
    containerStatuses?: ContainerStatus[];
    podIP?: string;
    podIPs?: { ip?: string }[];
    nominatedNodeName?: string;
  };
};

/** Restarts and the latest time a container last terminated (0 when unknown). */
type Restarts = { count: number; last: number };

const COMPLETED: TableRowCondition[] = [
  { type: "Completed", status: "True", reason: "Succeeded", message: "The pod has completed successfully." },
];
const FAILED: TableRowCondition[] = [
  { type: "Completed", status: "True", reason: "Failed", message: "The pod failed." },
];

function addRestarts(total: Restarts, status: ContainerStatus): void {
  total.count += status.restartCount ?? 0;
  const finished = parseTimestamp(status.lastState?.terminated?.finishedAt);
  if (finished !== undefined && finished > total.last) total.last = finished;
}

function hasCondition(pod: Pod, type: string): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === type && c.status === "True");
}

function terminatedReason(terminated: Terminated, prefix: string): string {
  if (terminated.reason) return `${prefix}${terminated.reason}`;
  if (terminated.signal) return `${prefix}Signal:${terminated.signal}`;
  return `${prefix}ExitCode:${terminated.exitCode ?? 0}`;
}

/**
 * The STATUS, READY and RESTARTS that kubectl shows for a pod, computed as
 * kube-apiserver's pod printer computes them: init progress ("Init:0/2",
 * "Init:CrashLoopBackOff"), the first container's waiting or terminated reason
 * ("ContainerCreating", "CrashLoopBackOff", "Completed", "ExitCode:1"),
 * "Terminating" while being deleted, else the phase.
 */
export function podStatus(pod: Pod): { reason: string; ready: number; total: number; restarts: Restarts } {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  let reason = status.reason || status.phase || "";
  if ((status.conditions ?? []).some((c) => c.type === "PodScheduled" && c.reason === "SchedulingGated")) {
    reason = "SchedulingGated";
  }
  const restartable = new Set(
    (spec.initContainers ?? []).filter((c) => c.restartPolicy === "Always").map((c) => c.name),
  );
  const total = (spec.containers ?? []).length + restartable.size;
  let ready = 0;
  const restarts: Restarts = { count: 0, last: 0 };
  const sidecarRestarts: Restarts = { count: 0, last: 0 };

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (const [i, container] of initStatuses.entries()) {
    addRestarts(restarts, container);
    const sidecar = restartable.has(container.name);
    if (sidecar) addRestarts(sidecarRestarts, container);
    const state = container.state ?? {};
    if (state.terminated && (state.terminated.exitCode ?? 0) === 0) continue;
    if (sidecar && container.started) {
      if (container.ready) ready++;
      continue;
    }
    if (state.terminated) reason = terminatedReason(state.terminated, "Init:");
    else if (state.waiting?.reason && state.waiting.reason !== "PodInitializing") {
      reason = `Init:${state.waiting.reason}`;
    } else reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    initializing = true;
    break;
  }

  if (!initializing || hasCondition(pod, "Initialized")) {
    restarts.count = sidecarRestarts.count;
    restarts.last = sidecarRestarts.last;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const container = statuses[i];
      addRestarts(restarts, container);
      const state = container.state ?? {};
      if (state.waiting?.reason) reason = state.waiting.reason;
      else if (state.terminated) reason = terminatedReason(state.terminated, "");
      else if (container.ready && state.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === "Completed" && hasRunning) reason = hasCondition(pod, "Ready") ? "Running" : "NotReady";
  }

  if (pod.metadata?.deletionTimestamp) {
    const terminal = status.phase === "Succeeded" || status.phase === "Failed";
    if (status.reason === "NodeLost") reason = "Unknown";
    else if (!terminal) reason = "Terminating";
  }
  return { reason, ready, total, restarts };
}

function readinessGates(pod: Pod): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return "<none>";
  const conditions = pod.status?.conditions ?? [];
  const passed = gates.filter(
    (gate) => conditions.find((c) => c.type === gate.conditionType)?.status === "True",
  );
  return `${passed.length}/${gates.length}`;
}

/** Pods: Name, Ready, Status, Restarts, Age; wide IP, Node, Nominated Node, Readiness Gates. */
export const podPrinter: Printer = {
  columns: [
    NAME,
    column("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
    column("Status", "string", "The aggregate status of the containers in this pod."),
    column(
      "Restarts",
      "string",
      "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
    ),
    AGE,
    wide("IP", "IP address allocated to the pod. Routable at least within the cluster."),
    wide("Node", "The node the pod is scheduled onto."),
    wide("Nominated Node", "The node the scheduler nominated for this pod while preempting others."),
    wide("Readiness Gates", "Conditions evaluated for pod readiness, and how many are met."),
  ],
  print(obj, { now }) {
    const pod = obj as Pod;
    const { reason, ready, total, restarts } = podStatus(pod);
    const restartText =
      restarts.count !== 0 && restarts.last !== 0
        ? `${restarts.count} (${humanDuration(now.getTime() - restarts.last)} ago)`
        : String(restarts.count);
    const status = pod.status ?? {};
    const ip = status.podIPs?.[0]?.ip ?? status.podIP ?? "";
    const phase = status.phase;
    return {
      cells: [
        pod.metadata?.name ?? "",
        `${ready}/${total}`,
        reason,
        restartText,
        timeSince(pod.metadata?.creationTimestamp, now),
        ip || "<none>",
        pod.spec?.nodeName || "<none>",
        status.nominatedNodeName || "<none>",
        readinessGates(pod),
      ],
      ...(phase === "Succeeded"
        ? { conditions: COMPLETED }
        : phase === "Failed"
          ? { conditions: FAILED }
          : {}),
    };
  },
};
