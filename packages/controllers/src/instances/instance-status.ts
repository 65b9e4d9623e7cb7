import {
  type ClusterComponentStatus,
  type ClusterPhase,
  ClusterPhases,
  KubeBlocksLabels,
  type ReplicaPhase,
  ReplicaPhases,
  type ReplicaStatus,
} from "@atoll/api";
import { isRecord, type KubeObject } from "@atoll/kube";

/** What the controller saw of one replica. */
export type ReplicaReading = {
  podName: string;
  member: string;
  /** Why the member cannot be read or written now (unreachable, disabled…); undefined when it can. */
  unreachable?: string;
  pod?: KubeObject;
  /** The replica's pod services in its own member, in spec order. */
  services: KubeObject[];
  /** The last status of this replica, for its last known address. */
  previous?: ReplicaStatus;
  /** Why its pod is not created yet (vars that cannot be resolved). */
  waiting?: string;
  /** Its component is stopped. */
  stopped?: boolean;
  /** Its pod was made from the component's current template. */
  upToDate?: boolean;
};

/** A replica's status: Unknown while its member cannot be reached, never its last seen phase. */
export function replicaStatus(reading: ReplicaReading): ReplicaStatus {
  const { podName, member, pod } = reading;
  const base: ReplicaStatus = { podName, ...(member ? { member } : {}) };
  if (!member)
    return {
      ...base,
      phase: ReplicaPhases.Pending,
      ready: false,
      message: "no member may take this replica",
    };
  if (reading.unreachable !== undefined) {
    const address = reading.previous?.address;
    return {
      ...base,
      phase: ReplicaPhases.Unknown,
      ready: false,
      ...(address ? { address } : {}),
      message: reading.unreachable,
    };
  }
  if (reading.stopped && (!pod || pod.metadata.deletionTimestamp)) {
    return { ...base, ready: false, message: pod ? "stopping" : "stopped" };
  }
  if (!pod || pod.metadata.deletionTimestamp) {
    return {
      ...base,
      phase: ReplicaPhases.Pending,
      ready: false,
      message: reading.waiting ?? `pod not created in ${member} yet`,
    };
  }
  const status = isRecord(pod.status) ? pod.status : {};
  const phase = (Object.values(ReplicaPhases) as string[]).includes(String(status.phase))
    ? (status.phase as ReplicaPhase)
    : ReplicaPhases.Pending;
  const conditions = Array.isArray(status.conditions) ? status.conditions.filter(isRecord) : [];
  const ready = conditions.some((c) => c.type === "Ready" && c.status === "True");
  const address =
    serviceAddress(reading.services) ?? (typeof status.podIP === "string" ? status.podIP : undefined);
  const role = pod.metadata.labels?.[KubeBlocksLabels.role];
  return {
    ...base,
    ...(role ? { role } : {}),
    phase,
    ready,
    ...(address ? { address } : {}),
    upToDate: reading.upToDate === true,
  };
}

/** How peers reach a pod service: its load-balancer ingress, else its cluster IP. */
function serviceAddress(services: KubeObject[]): string | undefined {
  for (const service of services) {
    const spec = isRecord(service.spec) ? service.spec : {};
    const status = isRecord(service.status) ? service.status : {};
    const lb =
      isRecord(status.loadBalancer) && Array.isArray(status.loadBalancer.ingress)
        ? status.loadBalancer.ingress
        : [];
    const ingress = lb.filter(isRecord)[0];
    if (spec.type === "LoadBalancer") {
      const host = ingress?.ip ?? ingress?.hostname;
      if (typeof host === "string") return host;
      continue;
    }
    if (typeof spec.clusterIP === "string" && spec.clusterIP !== "None") return spec.clusterIP;
  }
  return undefined;
}

const up = (phase: ClusterPhase | undefined) =>
  phase === ClusterPhases.Running || phase === ClusterPhases.Abnormal || phase === ClusterPhases.Updating;

/**
 * A component's phase. Running when every replica's pod is Running and Ready
 * (and has a role, when its definition declares roles). Stopping, then
 * Stopped, when it is stopped. Otherwise: Abnormal when a replica is Unknown
 * or Failed; Updating while a change rolls over a component that was up
 * (a replica not up to date, a new replica, or an update not finished yet);
 * Failed when it was up and no replica is available; Abnormal when it was up;
 * Creating before it ever was.
 */
export function componentPhase(
  replicas: readonly ReplicaStatus[],
  previous: ClusterPhase | undefined,
  options: { needsRole?: boolean; stopped?: boolean } = {},
): ClusterPhase {
  if (options.stopped) {
    return replicas.every((r) => r.message === "stopped") ? ClusterPhases.Stopped : ClusterPhases.Stopping;
  }
  const available = replicas.filter(
    (r) => r.phase === ReplicaPhases.Running && r.ready && (!options.needsRole || r.role !== undefined),
  ).length;
  if (available === replicas.length) return ClusterPhases.Running;
  if (replicas.some((r) => r.phase === ReplicaPhases.Unknown || r.phase === ReplicaPhases.Failed)) {
    const wasUp = up(previous) || previous === ClusterPhases.Failed;
    return wasUp && available === 0 ? ClusterPhases.Failed : ClusterPhases.Abnormal;
  }
  const rolling =
    previous === ClusterPhases.Updating ||
    replicas.some((r) => r.upToDate === false || (r.phase === ReplicaPhases.Pending && r.member));
  if (up(previous) && rolling) return ClusterPhases.Updating;
  if (up(previous)) return available === 0 ? ClusterPhases.Failed : ClusterPhases.Abnormal;
  if (previous === ClusterPhases.Stopped || previous === ClusterPhases.Stopping)
    return ClusterPhases.Updating;
  return ClusterPhases.Creating;
}

/** The Cluster's phase from its components': the worst of them; Stopped when all are; else Running. */
export function clusterPhase(components: ReadonlyArray<ClusterComponentStatus>): ClusterPhase {
  const phases = components.map((c) => c.phase);
  const order = [
    ClusterPhases.Failed,
    ClusterPhases.Abnormal,
    ClusterPhases.Creating,
    ClusterPhases.Stopping,
    ClusterPhases.Updating,
  ] as const;
  for (const phase of order) if (phases.includes(phase)) return phase;
  if (phases.length > 0 && phases.every((p) => p === ClusterPhases.Stopped)) return ClusterPhases.Stopped;
  return ClusterPhases.Running;
}
