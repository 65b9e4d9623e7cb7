import { ProcessUsageReader, type Summary, summarize } from "@atoll/bench-kit";
import { Informer, R, StatusError } from "@atoll/kube";
import type { BenchFleet, HubLayout, MemberKind } from "./fleet.ts";

export type DistributionResult = {
  /**
   * "first": one Deployment on a fresh fleet (the execution stage starts its
   * member informers for the kind on the way);
   * "paced": Deployments created at a steady rate (latency under light load);
   * "burst": as fast as the hub takes them; "direct": no Atoll — the bench
   * applies each Deployment to every member itself, as the execution stage
   * would: the rate at which this machine can write to its simulated members
   * at all, the ceiling for the burst figure.
   */
  mode: "first" | "paced" | "burst" | "direct";
  /** Where the hub controllers ran: in the API server process, or in one of their own. */
  hub: HubLayout;
  /** Whole simulated clusters, or members that only serve their API. */
  memberKind: MemberKind;
  /** Creates per second offered in paced mode. */
  rate?: number;
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
  /** CPU each role used during the run, per member object written (ms): where the time goes (an embedded hub counts its controllers; `controllers` is then 0). */
  cpuMsPerMemberObject: { hub: number; controllers: number; sims: number };
};

const NS = "bench";
/** The execution controller's default number of Works in flight: the width of a direct fan-out. */
const EXECUTION_CONCURRENCY = 16;

/**
 * Creates `deployments` Deployments at the hub under a policy that places
 * each in every member, and times each from its create to its arrival in the
 * last member (watches on every member record arrival times).
 */
export async function measureDistribution(
  fleet: BenchFleet,
  options: {
    deployments: number;
    concurrency: number;
    /** Creates per second; absent: a burst, `concurrency` creates in flight at once. */
    rate?: number;
    /** Apply to every member straight from the bench (server-side apply, `concurrency` in flight) instead of creating at the hub. */
    direct?: boolean;
    /** Report as the fleet's first Deployment. */
    first?: boolean;
    prefix: string;
    deadlineMs: number;
    log: (line: string) => void;
  },
): Promise<DistributionResult> {
  await ensurePolicy(fleet);
  const arrivals = new Map<string, { members: Set<string>; last: number }>();
  let resolveAll: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    resolveAll = resolve;
  });
  let complete = 0;
  // Informers, not bare watches: a watch the member closes (timeout, history cap) is resumed, so no arrival is lost.
  const watches = fleet.members.map((m) => {
    const informer = new Informer(m.client, R.deployments, { namespace: NS });
    informer.addHandlers({
      onAdd(object) {
        const name = object.metadata.name ?? "";
        // Exactly PREFIX<n>: "direct-" must not count the "direct-paced-" Deployments already there.
        if (!name.startsWith(options.prefix) || !/^\d+$/.test(name.slice(options.prefix.length))) return;
        const entry = arrivals.get(name) ?? { members: new Set<string>(), last: 0 };
        if (entry.members.has(m.name)) return;
        entry.members.add(m.name);
        entry.last = performance.now();
        arrivals.set(name, entry);
        if (entry.members.size === fleet.members.length && ++complete === options.deployments) resolveAll();
      },
    });
    informer.start();
    return informer;
  });
  await Promise.all(watches.map((w) => w.synced()));
  const usage = new ProcessUsageReader();
  const cpu = async () => {
    const read = async (pid: number) => (await usage.read(pid)).cpuMs ?? 0;
    let sims = 0;
    for (const sim of fleet.sims) sims += await read(sim.pid);
    const controllers = fleet.layout === "embedded" ? 0 : await read(fleet.controllersPid);
    return { hub: await read(fleet.hubPid), controllers, sims };
  };
  const cpuBefore = await cpu();
  const sent = new Map<string, number>();
  const started = performance.now();
  let next = 0;
  const applyTo = (member: BenchFleet["members"][number], name: string) =>
    member.client.patch(R.deployments, NS, name, "apply", deployment(name), {
      fieldManager: "bench-direct",
      force: true,
    });
  const create = async (name: string) => {
    sent.set(name, performance.now());
    if (!options.direct) {
      await fleet.hub.send("POST", `/apis/apps/v1/namespaces/${NS}/deployments`, deployment(name));
      return;
    }
    // One Deployment to every member, as many at once as the execution stage works on by default.
    let m = 0;
    const worker = async () => {
      while (m < fleet.members.length) await applyTo(fleet.members[m++], name);
    };
    await Promise.all(Array.from({ length: Math.min(EXECUTION_CONCURRENCY, fleet.members.length) }, worker));
  };
  if (options.direct) await ensureMemberNamespaces(fleet);
  if (options.direct && !options.rate) {
    // Deployment-major order, as the execution stage meets them: every member of one, then the next.
    let task = 0;
    const total = options.deployments * fleet.members.length;
    const worker = async () => {
      while (task < total) {
        const i = task++;
        const name = `${options.prefix}${Math.floor(i / fleet.members.length)}`;
        const member = fleet.members[i % fleet.members.length];
        if (!sent.has(name)) sent.set(name, performance.now());
        await applyTo(member, name);
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } else if (options.rate) {
    const creates: Promise<void>[] = [];
    for (let i = 0; i < options.deployments; i++) {
      const due = started + (i * 1000) / options.rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      creates.push(create(`${options.prefix}${i}`));
    }
    await Promise.all(creates);
  } else {
    const worker = async () => {
      while (next < options.deployments) await create(`${options.prefix}${next++}`);
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  }
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
    if (!arrival || arrival.members.size < fleet.members.length) {
      missing++;
      continue;
    }
    latencies.push(arrival.last - at);
    lastArrival = Math.max(lastArrival, arrival.last);
  }
  const totalMs = lastArrival - started;
  const cpuAfter = await cpu();
  const objects = Math.max(1, latencies.length * fleet.members.length);
  const per = (role: "hub" | "controllers" | "sims") =>
    Math.round(((cpuAfter[role] - cpuBefore[role]) / objects) * 100) / 100;
  return {
    mode: options.first ? "first" : options.direct ? "direct" : options.rate ? "paced" : "burst",
    hub: fleet.layout,
    memberKind: fleet.memberKind,
    ...(options.rate ? { rate: options.rate } : {}),
    members: fleet.members.length,
    deployments: options.deployments,
    latencyMs: summarize(latencies, 1),
    memberWritesPerSecond: Math.round((latencies.length * fleet.members.length) / (totalMs / 1000)),
    hubCreatesPerSecond: Math.round(options.deployments / (createdMs / 1000)),
    totalMs: Math.round(totalMs),
    missing,
    cpuMsPerMemberObject: { hub: per("hub"), controllers: per("controllers"), sims: per("sims") },
  };
}

const memberNamespaces = new WeakSet<BenchFleet>();

/** The bench namespace in every member, for direct applies (Atoll creates it itself when it propagates). */
async function ensureMemberNamespaces(fleet: BenchFleet): Promise<void> {
  if (memberNamespaces.has(fleet)) return;
  memberNamespaces.add(fleet);
  await Promise.all(
    fleet.members.map((m) =>
      m.client.create(R.namespaces, undefined, { metadata: { name: NS } }).catch((error: unknown) => {
        if (!(error instanceof StatusError) || error.reason !== "AlreadyExists") throw error;
      }),
    ),
  );
}

const policies = new WeakSet<BenchFleet>();

/** The namespace and the policy placing every Deployment in it in every member, once per fleet. */
async function ensurePolicy(fleet: BenchFleet): Promise<void> {
  if (policies.has(fleet)) return;
  policies.add(fleet);
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
