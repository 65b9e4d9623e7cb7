import { type Summary, summarize } from "@atoll/bench-kit";
import { R } from "@atoll/kube";
import type { BenchFleet } from "./fleet.ts";

export type DistributionResult = {
  members: number;
  deployments: number;
  /** Hub create sent → the Deployment present in every member, per Deployment. */
  latencyMs: Summary;
  /** Member objects written (deployments × members) per second, first create → last arrival. */
  memberWritesPerSecond: number;
  /** Deployments created at the hub per second (the offered load). */
  hubCreatesPerSecond: number;
  totalMs: number;
  missing: number;
};

const NS = "bench";

/**
 * Creates `deployments` Deployments at the hub under a policy that places
 * each in every member, and times each from its create to its arrival in the
 * last member (watches on every member record arrival times).
 */
export async function measureDistribution(
  fleet: BenchFleet,
  options: { deployments: number; concurrency: number; deadlineMs: number; log: (line: string) => void },
): Promise<DistributionResult> {
  await fleet.hub.send("POST", "/api/v1/namespaces", {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: NS },
  });
  await fleet.hub.send("POST", `/apis/policy.atoll.io/v1alpha1/namespaces/${NS}/propagationpolicies`, {
    apiVersion: "policy.atoll.io/v1alpha1",
    kind: "PropagationPolicy",
    metadata: { name: "everywhere", namespace: NS },
    spec: { resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment" }], placement: {} },
  });
  const arrivals = new Map<string, { count: number; last: number }>();
  let resolveAll: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    resolveAll = resolve;
  });
  let complete = 0;
  const watches = fleet.members.map((m) =>
    m.client.watch(
      R.deployments,
      { namespace: NS },
      {
        onEvent(type, object) {
          if (type !== "ADDED") return;
          const name = object.metadata.name ?? "";
          const entry = arrivals.get(name) ?? { count: 0, last: 0 };
          entry.count++;
          entry.last = performance.now();
          arrivals.set(name, entry);
          if (entry.count === fleet.members.length && ++complete === options.deployments) resolveAll();
        },
        onClose() {},
      },
    ),
  );
  const sent = new Map<string, number>();
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < options.deployments) {
      const name = `app-${next++}`;
      sent.set(name, performance.now());
      await fleet.hub.send("POST", `/apis/apps/v1/namespaces/${NS}/deployments`, deployment(name));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const createdMs = performance.now() - started;
  options.log(`${options.deployments} Deployments created at the hub in ${Math.round(createdMs)} ms`);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    all,
    new Promise<void>((r) => {
      timer = setTimeout(r, options.deadlineMs);
    }),
  ]);
  clearTimeout(timer);
  for (const w of watches) w.stop();
  const latencies: number[] = [];
  let missing = 0;
  let lastArrival = started;
  for (const [name, at] of sent) {
    const arrival = arrivals.get(name);
    if (!arrival || arrival.count < fleet.members.length) {
      missing++;
      continue;
    }
    latencies.push(arrival.last - at);
    lastArrival = Math.max(lastArrival, arrival.last);
  }
  const totalMs = lastArrival - started;
  return {
    members: fleet.members.length,
    deployments: options.deployments,
    latencyMs: summarize(latencies, 1),
    memberWritesPerSecond: Math.round((latencies.length * fleet.members.length) / (totalMs / 1000)),
    hubCreatesPerSecond: Math.round(options.deployments / (createdMs / 1000)),
    totalMs: Math.round(totalMs),
    missing,
  };
}

function deployment(name: string) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: NS, labels: { app: name } },
    spec: {
      // No pods: the benchmark measures propagation, not the simulated kubelets.
      replicas: 0,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "main", image: "registry.example/bench:1" }] },
      },
    },
  };
}
