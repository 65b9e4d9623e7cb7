/** Clusters and OpsRequests as plain data, for the pure parts' tests. */
import type {
  Cluster,
  ClusterComponentStatus,
  ClusterPhase,
  OpsRequestSpec,
  ReplicaStatus,
} from "@atoll/api";
import type { Ops, OpsStatus } from "./ops-spec.ts";

/** A Cluster `db` with one etcd component of `replicas`, Running with a leader at ordinal 0 unless told. */
export function clusterOf(
  options: {
    replicas?: number;
    generation?: number;
    components?: Record<string, ClusterComponentStatus>;
    phase?: ClusterPhase;
    annotations?: Record<string, string>;
    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  } = {},
): Cluster {
  const replicas = options.replicas ?? 3;
  const generation = options.generation ?? 1;
  return {
    apiVersion: "apps.kubeblocks.io/v1alpha1",
    kind: "Cluster",
    metadata: {
      name: "db",
      namespace: "default",
      generation,
      resourceVersion: "7",
      annotations: options.annotations ?? {},
    },
    spec: {
      terminationPolicy: "Delete",
      componentSpecs: [
        {
          name: "etcd",
          componentDef: "etcd-0.9.0",
          replicas,
          ...(options.resources ? { resources: options.resources } : {}),
        },
      ],
    },
    status: {
      observedGeneration: generation,
      phase: options.phase ?? "Running",
      components: options.components ?? {
        etcd: { phase: "Running", replicas: replicasOf(replicas) },
      },
    },
  };
}

/** `count` serving, up-to-date replicas of etcd, ordinal 0 the leader. */
export function replicasOf(count: number, change: (r: ReplicaStatus, i: number) => ReplicaStatus = (r) => r) {
  return Array.from({ length: count }, (_, i) =>
    change(
      {
        podName: `db-etcd-${i}`,
        member: `k8s-${(i % 3) + 1}`,
        role: i === 0 ? "leader" : "follower",
        phase: "Running",
        ready: true,
        upToDate: true,
      },
      i,
    ),
  );
}

/** An OpsRequest on `db`. */
export function opsOf(spec: OpsRequestSpec, status?: OpsStatus): Ops {
  return {
    apiVersion: "apps.kubeblocks.io/v1alpha1",
    kind: "OpsRequest",
    metadata: { name: "op", namespace: "default", uid: "uid-1", creationTimestamp: "2026-01-01T00:00:00Z" },
    spec: { clusterName: "db", ...spec },
    ...(status ? { status } : {}),
  };
}
