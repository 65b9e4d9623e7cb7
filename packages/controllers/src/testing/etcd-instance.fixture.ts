/**
 * What the end-to-end tests of database instances share: whether real etcd
 * is installed, etcdctl against a replica, and the hub's view of an
 * instance (its replicas; Running with one leader).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { type Cluster, KB_CLUSTERS, type ReplicaStatus } from "@atoll/api";
import { isRecord, type KubeClient, R } from "@atoll/kube";
import { startFleet, type TestFleet, until } from "./fleet.fixture.ts";

/** Real etcd runs only where the machine has it (Debian's etcd-server). */
export const haveEtcd = existsSync("/usr/bin/etcd") && existsSync("/usr/bin/etcdctl");

/**
 * A fleet for database instances: the instance controller (and the built-in
 * etcd-0.9.0) on, members running etcd as real processes and meshed (global
 * services), member storage as asked (sqlite to survive a member's restart).
 */
export function startEtcdFleet(
  ids: number[],
  options: { mesh?: boolean; storage?: "memory" | "sqlite" } = {},
): Promise<TestFleet> {
  return startFleet({
    ids,
    instances: true,
    mesh: options.mesh ?? true,
    simOptions: () => ({ runtime: undefined, ...(options.storage ? { storage: options.storage } : {}) }),
  });
}

/** etcdctl (API v3) against one endpoint, bounded in time. */
export function etcdctl(endpoint: string, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)("etcdctl", [`--endpoints=${endpoint}`, "--command-timeout=5s", ...args], {
    env: { ...process.env, ETCDCTL_API: "3" },
    timeout: 15_000,
  });
}

/** A replica's client URL from this host: its pod IP (members share the host's network). */
export async function replicaEndpoint(member: KubeClient, replica: ReplicaStatus): Promise<string> {
  const pod = await member.get(R.pods, "default", replica.podName);
  const ip = pod && isRecord(pod.status) ? pod.status.podIP : undefined;
  if (typeof ip !== "string") throw new Error(`${replica.podName} has no pod IP`);
  return `http://${ip}:2379`;
}

/** The names of the etcd cluster's members, as one replica sees them, sorted. */
export async function engineMembers(endpoint: string): Promise<string[]> {
  const out = (await etcdctl(endpoint, "member", "list")).stdout.trim();
  return out
    .split("\n")
    .map((line) => line.split(", ")[2])
    .sort();
}

/** Reads `key` through `endpoint` until it has a value (a rejoining replica catches up). */
export function readValue(endpoint: () => Promise<string>, key: string, timeoutMs = 20_000): Promise<string> {
  return until(
    `${key} readable`,
    async () => {
      const got = await etcdctl(await endpoint(), "get", key, "--print-value-only").catch(() => undefined);
      return got?.stdout.trim() || undefined;
    },
    timeoutMs,
  );
}

/** The hub's view of one namespace's instances. */
export function instancesAt(hub: KubeClient, namespace = "default") {
  const cluster = async (name: string): Promise<Cluster> => {
    const found = await hub.get(KB_CLUSTERS, namespace, name);
    if (!found) throw new Error(`Cluster ${namespace}/${name} does not exist`);
    return found as Cluster;
  };
  const replicas = async (name: string, component = "etcd"): Promise<ReplicaStatus[]> =>
    (await cluster(name)).status?.components?.[component]?.replicas ?? [];
  /** Waits for Running with `count` replicas (if given), each ready with a role (and up to date), one leader. */
  const running = async (name: string, options: { count?: number; timeoutMs?: number } = {}) => {
    let last: Cluster["status"];
    return until(
      `${name} Running with one leader`,
      async () => {
        const c = await cluster(name);
        last = c.status;
        const list = c.status?.components?.etcd?.replicas ?? [];
        const ok =
          c.status?.phase === "Running" &&
          (options.count === undefined || list.length === options.count) &&
          list.every((r) => r.ready && r.role && r.upToDate !== false) &&
          list.filter((r) => r.role === "leader").length === 1;
        return ok ? list : undefined;
      },
      options.timeoutMs ?? 60_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; last status: ${JSON.stringify(last)}`, { cause: error });
    });
  };
  return { cluster, replicas, running };
}
