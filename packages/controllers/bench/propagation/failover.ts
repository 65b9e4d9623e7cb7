import { once } from "node:events";
import { isRecord, R } from "@atoll/kube";
import type { BenchFleet } from "./fleet.ts";

export type FailoverResult = {
  replicas: number;
  /** Member process killed → every replica Ready in the surviving members. */
  failoverMs: number;
  /** The fewest replicas Ready fleet-wide seen while failing over (sampled every 100 ms). */
  minReadyDuring: number;
  samples: number;
};

const NS = "failover";

/**
 * A Deployment divided over every member (each its own sim process); one
 * member's process is killed (SIGKILL, like a cluster vanishing) and the
 * benchmark times until the survivors run every replica, with the hub
 * controllers' default health and eviction settings.
 */
export async function measureFailover(
  fleet: BenchFleet,
  options: { replicas: number; deadlineMs: number; log: (line: string) => void },
): Promise<FailoverResult> {
  await fleet.hub.send("POST", "/api/v1/namespaces", {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: NS },
  });
  await fleet.hub.send("POST", `/apis/policy.atoll.io/v1alpha1/namespaces/${NS}/propagationpolicies`, {
    apiVersion: "policy.atoll.io/v1alpha1",
    kind: "PropagationPolicy",
    metadata: { name: "divided", namespace: NS },
    spec: {
      resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment" }],
      placement: { replicaScheduling: { replicaSchedulingType: "Divided" } },
    },
  });
  await fleet.hub.send("POST", `/apis/apps/v1/namespaces/${NS}/deployments`, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "svc", namespace: NS },
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: { app: "svc" } },
      template: {
        metadata: { labels: { app: "svc" } },
        spec: { containers: [{ name: "main", image: "svc:1" }] },
      },
    },
  });
  const ready = async (members: BenchFleet["members"]) => {
    let sum = 0;
    for (const m of members) {
      const d = await m.client.get(R.deployments, NS, "svc").catch(() => undefined);
      sum += isRecord(d?.status) ? Number(d.status.readyReplicas ?? 0) : 0;
    }
    return sum;
  };
  const deadline = performance.now() + options.deadlineMs;
  while ((await ready(fleet.members)) < options.replicas) {
    if (performance.now() > deadline) throw new Error("the Deployment never became ready in the members");
    await new Promise((r) => setTimeout(r, 100));
  }
  const victim = fleet.members[fleet.members.length - 1];
  const survivors = fleet.members.filter((m) => m !== victim);
  options.log(`all ${options.replicas} replicas ready; killing ${victim.name} (pid ${victim.sim.pid})`);
  const killedAt = performance.now();
  const exited = once(victim.sim.child, "exit");
  process.kill(victim.sim.pid, "SIGKILL");
  await exited;
  let minReady = Number.POSITIVE_INFINITY;
  let samples = 0;
  for (;;) {
    const now = await ready(survivors);
    samples++;
    minReady = Math.min(minReady, now);
    if (now >= options.replicas) break;
    if (performance.now() > killedAt + options.deadlineMs)
      throw new Error(`failover incomplete: ${now}/${options.replicas} ready`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    replicas: options.replicas,
    failoverMs: Math.round(performance.now() - killedAt),
    minReadyDuring: minReady,
    samples,
  };
}
