import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { ChildProcesses } from "@atoll/bench-kit";
import { round } from "@atoll/bench-kit";
import { addressPlan } from "../src/network/address-plan.ts";
import type { BenchConfig } from "./config.ts";
import { deployment } from "./fixtures.ts";
import { busyAddresses } from "./free-addresses.ts";
import { MemberClient } from "./member-client.ts";
import type { MemoryReply } from "./memory-probe.ts";
import { seedValidPki } from "./pki-seed.ts";
import { SimProcess } from "./sim-process.ts";

/** One process hosting `members` members, each with its nodes and a Deployment of Ready pods. */
export type MembersRow = {
  members: number;
  /** Spawn → the last member's "member ready" line. */
  startMs: number;
  /** Memory after a full GC with every member up and no pods yet. */
  empty: MemoryReply;
  /** Deployments created → every member reports all replicas Ready. */
  podsReadyMs: number;
  /** Memory after a full GC with every pod Ready. */
  full: MemoryReply;
  /** The process's peak RSS (VmHWM) over its life. */
  peakRssBytes: number;
  /** The process's longest event-loop stall while the pods were being created and readied. */
  loopDelayMaxMs: number;
  /** CPU cores the process keeps busy once idle (heartbeats, leases, timers), over `IDLE_MS`. */
  idleCores: number;
  /**
   * JS heap growth per member per minute while idle (GC'd before and after):
   * what node heartbeats leave in the API servers' watch and revision
   * histories, which grow until their caps are reached.
   */
  idleHeapGrowthPerMemberPerMin: number;
};

export type MembersResult = {
  rows: MembersRow[];
  /** Counts whose first attempt failed and was retried (a member that fails to start ends the whole process). */
  failedAttempts: { members: number; error: string }[];
  /** Why the phase stopped before its last count, if it did. */
  stoppedBecause?: string;
};

export type MembersContext = {
  children: ChildProcesses;
  config: BenchConfig;
  repoRoot: string;
  tempDir: string;
  deadline: number;
  log: (line: string) => void;
};

/** How long the idle CPU and heap growth are measured over. */
export const IDLE_MS = 8000;
/** After the last pod is Ready, status writes and events still trail for a moment. */
const SETTLE_MS = 3000;
/**
 * A count that fails is tried once more, with certificates checked beforehand
 * (see `seedValidPki`), so one member with a certificate OpenSSL rejects does
 * not hide the memory figures; the failure is reported.
 */
const START_ATTEMPTS = 2;
const POLL_MS = 500;
const REQUESTS_IN_FLIGHT = 16;

/**
 * Members per process: for each count, one `atoll sim --count N --storage memory`
 * process, a `podsPerMember`-replica Deployment created through every member's
 * API, and the process's memory once they are all Ready; stops at the first
 * count whose peak RSS passes the limit, that fails, or that the time left
 * would not cover.
 */
export async function measureMembersPerProcess(context: MembersContext): Promise<MembersResult> {
  const { config } = context;
  const rows: MembersRow[] = [];
  const failedAttempts: MembersResult["failedAttempts"] = [];
  const stop = (stoppedBecause: string) => ({ rows, failedAttempts, stoppedBecause });
  for (const members of config.memberCounts) {
    const lastId = config.firstMemberId + members - 1;
    if (lastId > 200) return stop(`${members} members would need ids past 200`);
    if (context.deadline - performance.now() < config.minTimeForNextCountMs)
      return stop(`too little time left for ${members} members`);
    let row: MembersRow | undefined;
    for (let attempt = 1; !row; attempt++) {
      try {
        row = await measureCount(context, members, attempt);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (attempt === START_ATTEMPTS || context.deadline - performance.now() < config.minTimeForNextCountMs)
          return stop(`${members} members failed: ${message}`);
        failedAttempts.push({ members, error: message });
        context.log(`${members} members: failed, trying once more: ${message.split("\n")[0]}`);
      }
    }
    rows.push(row);
    context.log(
      `${members} members: start ${row.startMs} ms, pods ${row.podsReadyMs} ms, ` +
        `RSS ${Math.round(row.full.rss / 2 ** 20)} MiB (peak ${Math.round(row.peakRssBytes / 2 ** 20)} MiB)`,
    );
    if (row.peakRssBytes > config.rssLimitBytes)
      return stop(`peak RSS passed the limit at ${members} members`);
  }
  return { rows, failedAttempts };
}

async function measureCount(context: MembersContext, members: number, attempt: number): Promise<MembersRow> {
  const { config, children } = context;
  const ids = Array.from({ length: members }, (_, i) => config.firstMemberId + i);
  const busy = await busyAddresses(
    ids.map((id) => addressPlan(id).apiServer),
    [config.port, config.port + 1],
  );
  if (busy.length) throw new Error(`addresses already in use: ${busy.slice(0, 5).join(", ")}`);
  const dataDir = join(context.tempDir, `members-${members}-${attempt}`);
  // `atoll sim --count` names members k8s-<id> and gives each <data-dir>/<name>.
  if (attempt > 1) for (const id of ids) await seedValidPki(join(dataDir, `k8s-${id}`), `k8s-${id}`, id);
  const sim = await SimProcess.start(children, {
    repoRoot: context.repoRoot,
    args: [
      ...["--name", "k8s", "--id", String(config.firstMemberId), "--count", String(members)],
      ...["--port", String(config.port)],
      ...["--data-dir", dataDir, "--nodes", String(config.nodesPerMember), "--storage", "memory"],
    ],
    members,
    readyDeadlineMs: config.memberReadyDeadlineMs + members * config.perMemberStartMs,
  }).catch(async (error: unknown) => {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  const clients: MemberClient[] = [];
  try {
    const empty = await sim.memory(true);
    for (const member of sim.members) clients.push(await MemberClient.fromKubeconfig(member.kubeconfig, 1));
    await sim.loopDelay();
    const created = performance.now();
    await inBatches(clients, (client) =>
      client.send(
        "POST",
        "/apis/apps/v1/namespaces/default/deployments",
        deployment("default", "bench", config.podsPerMember),
      ),
    );
    await waitAllReady(clients, config.podsPerMember, 30_000 + members * config.perMemberPodsMs);
    const podsReadyMs = round(performance.now() - created);
    const loop = await sim.loopDelay();
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const full = await sim.memory(true);
    const idleFrom = await sim.usage();
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const idleTo = await sim.usage();
    const idle = await sim.memory(true);
    return {
      members,
      startMs: round(sim.startMs),
      empty,
      podsReadyMs,
      full,
      peakRssBytes: idleTo.peakRssBytes ?? full.rss,
      loopDelayMaxMs: loop.maxMs,
      idleCores: round(((idleTo.cpuMs ?? 0) - (idleFrom.cpuMs ?? 0)) / IDLE_MS, 3),
      idleHeapGrowthPerMemberPerMin: Math.round(
        ((idle.heapUsed - full.heapUsed) / members) * (60_000 / IDLE_MS),
      ),
    };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await children.stop(sim.child);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Polls each member's Deployment until it reports `replicas` Ready; members already done are not asked again. */
async function waitAllReady(clients: MemberClient[], replicas: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let pending = clients;
  while (pending.length) {
    if (performance.now() > deadline)
      throw new Error(
        `${pending.length}/${clients.length} members short of ${replicas} Ready after ${timeoutMs} ms`,
      );
    const ready = await inBatches(pending, async (client) => {
      const got = (await client.send("GET", "/apis/apps/v1/namespaces/default/deployments/bench")) as {
        status?: { readyReplicas?: number };
      };
      return got.status?.readyReplicas === replicas;
    });
    pending = pending.filter((_, i) => !ready[i]);
    if (pending.length) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function inBatches<T, R>(items: T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(REQUESTS_IN_FLIGHT, items.length) }, lane));
  return results;
}
