import { round, type Summary, summarize } from "@atoll/bench-kit";
import { ANNOTATION_GLOBAL_SERVICE, readMeshStatus } from "@atoll/sim/mesh/index";
import { exchange, setPodStatus, until } from "@atoll/sim/network/testing";
import { type NetworkFleet, type NetworkMember, setApiDown } from "./fleet.ts";
import { createClusterIpService, createServedPod } from "./workloads.ts";

/** One withdrawal and return, in ms from the moment the cause was sent. */
export type WithdrawalRun = {
  /** How long the request causing it took (the status patch, or the admin fault). */
  causeMs: number;
  /** The first connection proving the victim is no backend any more (see {@link watchWithdrawal}). */
  withdrawnMs: number;
  /** The last connection that still reached the victim (0: none after the cause was sent). */
  lastReachedMs: number;
  /** After the cause is lifted, the first connection reaching the victim again. */
  backMs: number;
  /** Connections made while waiting for the withdrawal. */
  connections: number;
};

export type WithdrawalResult = {
  cause: "pod-unready" | "api-down";
  runs: WithdrawalRun[];
  /** Lower bounds of the withdrawal. */
  lastReachedMs: Summary;
  /** Upper bounds of the withdrawal. */
  withdrawnMs: Summary;
  backMs: Summary;
};

export type WithdrawalOptions = {
  unreadyRuns: number;
  apiDownRuns: number;
  /**
   * How long the API stays down after the withdrawal is seen, before it is
   * brought back. The member drops a silent peer's caches at its first failing
   * probe past the detection period (probes run every 2 s), so lifting the
   * fault sooner can bring the peer back without a fresh list.
   */
  apiDownHoldMs: number;
  log: (line: string) => void;
};

const PORT = 8080;
const SERVICE = "web";
/**
 * Pauses between two polling connections: none while a pod goes unready
 * (tens of ms, where the pause would be the resolution), 2 ms while an API is
 * down (10 s, where a poller taking a whole core would slow what is measured).
 */
const UNREADY_POLL_GAP_MS = 0;
const API_DOWN_POLL_GAP_MS = 2;
const UNREADY_DEADLINE_MS = 15_000;
const API_DOWN_DEADLINE_MS = 40_000;

/** How one run withdraws the victim and brings it back. */
type RunPlan = {
  cause(): Promise<unknown>;
  lift(): Promise<unknown>;
  deadlineMs: number;
  pollGapMs: number;
  /** How long the cause stays after the withdrawal is seen. */
  holdMs: number;
};

/** k8s-1's cluster IP of the global Service, and the member whose pod is withdrawn. */
type Setup = { entry: string; victim: NetworkMember; victimIp: string };

/**
 * A global Service `web` in every member of a meshed fleet, one pod behind
 * it in each (answering with its member's name); connections to k8s-1's
 * cluster IP round-robin over the three. The last member's pod goes unready
 * (its Ready condition set False through its API, as the tests do), or its
 * API goes down (the admin fault, default detection settings), and k8s-1's
 * cluster IP is polled with real connections until the victim is no longer
 * reached; then the cause is lifted and polled until it is reached again.
 */
export async function measureWithdrawal(
  fleet: NetworkFleet,
  options: WithdrawalOptions,
): Promise<WithdrawalResult[]> {
  const { entry, victim, victimIp } = await serveGlobalService(fleet);
  options.log(
    `withdrawal: ${SERVICE} at ${entry} in k8s-1 reaches every member; the victim is ${victim.name}`,
  );
  const results: WithdrawalResult[] = [];
  const repeat = async (cause: WithdrawalResult["cause"], count: number, plan: RunPlan) => {
    const runs: WithdrawalRun[] = [];
    for (let i = 0; i < count; i++) {
      const run = await withdrawAndRestore(entry, victim.name, plan).catch(async (error: unknown) => {
        throw new Error(`${cause} #${i + 1}: ${String(error)}; ${await diagnosis(fleet)}`, { cause: error });
      });
      options.log(`withdrawal: ${cause} #${i + 1}: ${JSON.stringify(run)}`);
      runs.push(run);
    }
    if (runs.length > 0) results.push(resultOf(cause, runs));
  };
  const ready = (value: boolean) => () =>
    setPodStatus(victim.api, "default", `${SERVICE}-0`, victimIp, value);
  await repeat("pod-unready", options.unreadyRuns, {
    cause: ready(false),
    lift: ready(true),
    deadlineMs: UNREADY_DEADLINE_MS,
    pollGapMs: UNREADY_POLL_GAP_MS,
    holdMs: 0,
  });
  await repeat("api-down", options.apiDownRuns, {
    cause: () => setApiDown(victim, true),
    lift: () => setApiDown(victim, false),
    deadlineMs: API_DOWN_DEADLINE_MS,
    pollGapMs: API_DOWN_POLL_GAP_MS,
    holdMs: options.apiDownHoldMs,
  });
  return results;
}

async function serveGlobalService(fleet: NetworkFleet): Promise<Setup> {
  let entry = "";
  let victimIp = "";
  for (const member of fleet.members) {
    const ip = `127.${member.id}.1.20`;
    const port = await fleet.backend.echo(ip, member.name);
    await createServedPod(member, {
      name: `${SERVICE}-0`,
      app: SERVICE,
      ip,
      ports: [{ name: "echo", containerPort: port }],
    });
    const clusterIp = await createClusterIpService(member, {
      name: SERVICE,
      ports: [{ name: "echo", port: PORT }],
      annotations: { [ANNOTATION_GLOBAL_SERVICE]: "true" },
    });
    if (entry === "") entry = clusterIp;
    victimIp = ip;
  }
  const everyone = fleet.members
    .map((m) => m.name)
    .sort()
    .join();
  await until(
    `k8s-1's ${SERVICE} reaches every member`,
    async () => (await answers(entry, fleet.members.length * 2)).join() === everyone,
    30_000,
  );
  return { entry, victim: fleet.members[fleet.members.length - 1], victimIp };
}

/** What the members report when a run fails: k8s-1's mesh status and whether each process still runs. */
async function diagnosis(fleet: NetworkFleet): Promise<string> {
  const status = await readMeshStatus(fleet.members[0].target).catch(String);
  const processes = fleet.members.map(
    (m) =>
      `${m.name} ${m.sim.alive ? "running" : `exited (${m.sim.child.exitCode ?? m.sim.child.signalCode})`}`,
  );
  return `k8s-1's mesh status: ${JSON.stringify(status)}; ${processes.join(", ")}`;
}

function resultOf(cause: WithdrawalResult["cause"], runs: WithdrawalRun[]): WithdrawalResult {
  const of = (pick: (run: WithdrawalRun) => number) => summarize(runs.map(pick), 1);
  return {
    cause,
    runs,
    lastReachedMs: of((r) => r.lastReachedMs),
    withdrawnMs: of((r) => r.withdrawnMs),
    backMs: of((r) => r.backMs),
  };
}

async function withdrawAndRestore(ip: string, victim: string, options: RunPlan): Promise<WithdrawalRun> {
  const caused = performance.now();
  // Polling starts with the request, so the last connection reaching the victim bounds the withdrawal from below.
  const [causeMs, gone] = await Promise.all([
    options.cause().then(() => performance.now() - caused),
    watchWithdrawal(ip, victim, { ...options, since: caused }),
  ]);
  await sleep(options.holdMs);
  const lifted = performance.now();
  await options.lift();
  const back = await until(
    `${victim} reached again`,
    async () => {
      const at = performance.now();
      return (await answer(ip)) === victim ? at : undefined;
    },
    options.deadlineMs,
  );
  return {
    causeMs: round(causeMs, 1),
    withdrawnMs: round(gone.withdrawnAt - caused, 1),
    lastReachedMs: round(gone.lastReachedAt - caused, 1),
    backMs: round(back - lifted, 1),
    connections: gone.connections,
  };
}

/**
 * Polls ip:8080 with one connection at a time until `victim` has been missed
 * six times in a row. While the victim is one of three backends, round-robin
 * (only this poller uses the Service) reaches it at least every third
 * connection, so the third miss in a row proves it withdrawn by then: that
 * connection's start is the upper bound reported, the last hit the lower bound.
 */
async function watchWithdrawal(
  ip: string,
  victim: string,
  options: { since: number; deadlineMs: number; pollGapMs: number },
): Promise<{ withdrawnAt: number; lastReachedAt: number; connections: number }> {
  const misses: number[] = [];
  let lastReachedAt = options.since;
  let connections = 0;
  while (misses.length < 6) {
    const at = performance.now();
    if (at - options.since > options.deadlineMs)
      throw new Error(`${victim} still reached through ${ip} after ${options.deadlineMs} ms`);
    const reply = await answer(ip);
    connections++;
    if (reply === victim) {
      lastReachedAt = at;
      misses.length = 0;
    } else misses.push(at);
    await sleep(options.pollGapMs);
  }
  return { withdrawnAt: misses[2], lastReachedAt, connections };
}

/** The member that answered one connection to ip:8080, or why none did (`reset`, `timeout` …). */
async function answer(ip: string): Promise<string> {
  return (await exchange(ip, PORT, { timeoutMs: 1000 })).replace(/:ping$/, "");
}

async function answers(ip: string, count: number): Promise<string[]> {
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) seen.add(await answer(ip));
  return [...seen].sort();
}

/** Waits `ms`; 0 still yields to pending I/O. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));
}
