import { ProcessUsageReader, round, type Summary, summarize } from "@atoll/bench-kit";
import type { BenchConfig } from "./config.ts";
import type { SimMember } from "./fleet-processes.ts";
import type { HubClient } from "./hub-client.ts";
import { joinedAndReady, type MemberClusterWatch, withFinalizer } from "./member-watch.ts";

/** What a join phase needs: the hub, a watch on its MemberClusters, and the run's bounds. */
export type JoinContext = {
  hub: HubClient;
  watch: MemberClusterWatch;
  config: BenchConfig;
  log: (line: string) => void;
  /** The processes whose CPU time a batch join is charged with. */
  pids: { controllers: number; hub: number };
};

/** CPU time (user + system) each kind of process spent while a batch joined, in ms. */
export type JoinCpu = { controllers: number; hub: number; sims: number };

/** Join→Ready of one batch size: per-member latency from the MemberCluster create to Ready=True seen. */
export type JoinResult = {
  members: number;
  /** sequential: one member at a time, `rounds` times; all-at-once: every create sent together. */
  mode: "sequential" | "all-at-once";
  rounds: number;
  /** Create sent → Joined and Ready seen on the hub's watch (ms). */
  latency: Summary;
  /** How long the create request itself took (ms): the hub's share of the latency. */
  create: Summary;
  /** Create sent → the controller's finalizer seen: how long the member waited for its first reconcile. */
  finalizer: Summary;
  /** All-at-once only: CPU each kind of process spent from the first create to the last Ready. */
  cpuMs?: JoinCpu;
  /** First create sent → the last member Ready (all-at-once only). */
  allReadyMs?: number;
  errors: string[];
};

type Sample = { sentAt: number; createdAt: number; finalizerAt: number; readyAt: number };

/**
 * Joins one member `rounds` times in a row under fresh names (each round
 * unjoined, orphaning what the hub installed, before the next), so each join
 * runs against an otherwise idle fleet.
 */
export async function measureSequentialJoins(
  context: JoinContext,
  member: SimMember,
  rounds: number,
): Promise<JoinResult> {
  const samples: Sample[] = [];
  const errors: string[] = [];
  for (let round = 1; round <= rounds; round++) {
    const name = `${member.name}-r${round}`;
    try {
      const secret = await context.hub.putKubeconfigSecret(name, member.kubeconfig);
      samples.push(await join(context, name, secret));
      await context.hub.unjoinOrphan(name);
      await context.watch.until(name, (mc) => mc === undefined, context.config.readyDeadlineMs, "gone");
      // The controller stops the member's runtime when it sees the deletion; let it, so the next round
      // joins from nothing rather than reusing (or colliding with) the previous connection.
      await new Promise((resolve) => setTimeout(resolve, 300));
    } catch (error) {
      errors.push(error instanceof Error ? error.message : String(error));
    }
  }
  return result(1, "sequential", rounds, samples, errors);
}

/** Stores every member's kubeconfig, then creates all their MemberClusters at once and waits for each to be Ready. */
export async function measureBatchJoin(
  context: JoinContext,
  members: SimMember[],
  simPids: number[],
): Promise<JoinResult> {
  const secrets = await Promise.all(
    members.map((member) => context.hub.putKubeconfigSecret(member.name, member.kubeconfig)),
  );
  const reader = new ProcessUsageReader();
  const pids = [context.pids.controllers, context.pids.hub, ...simPids];
  const cpu = async () => (await Promise.all(pids.map((pid) => reader.read(pid)))).map((u) => u.cpuMs ?? 0);
  const before = await cpu();
  const settled = await Promise.allSettled(
    members.map((member, i) => join(context, member.name, secrets[i])),
  );
  const after = await cpu();
  const spent = after.map((ms, i) => ms - before[i]);
  const samples = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const errors = settled.flatMap((s) => (s.status === "rejected" ? [String(s.reason)] : []));
  const outcome = result(members.length, "all-at-once", 1, samples, errors);
  if (samples.length === members.length) {
    const first = Math.min(...samples.map((s) => s.sentAt));
    outcome.allReadyMs = round(Math.max(...samples.map((s) => s.readyAt)) - first, 1);
  }
  outcome.cpuMs = {
    controllers: round(spent[0]),
    hub: round(spent[1]),
    sims: round(spent.slice(2).reduce((a, b) => a + b, 0)),
  };
  return outcome;
}

/** Unjoins `names` (orphaning what the hub installed) and waits until their MemberClusters are gone. */
export async function unjoinAll(context: JoinContext, names: string[]): Promise<void> {
  await Promise.all(
    names.map(async (name) => {
      await context.hub.unjoinOrphan(name);
      await context.watch.until(name, (mc) => mc === undefined, context.config.readyDeadlineMs, "gone");
    }),
  );
}

async function join(context: JoinContext, name: string, secret: string): Promise<Sample> {
  // Waiting starts before the create, so a Ready that comes quickly is not missed.
  const { watch, config } = context;
  const ready = watch.until(name, joinedAndReady, config.readyDeadlineMs, "Joined and Ready");
  const finalizer = watch.until(name, withFinalizer, config.readyDeadlineMs, "given the finalizer");
  for (const waiting of [ready, finalizer]) waiting.catch(() => undefined);
  const sentAt = performance.now();
  await context.hub.createMemberCluster(name, secret);
  const createdAt = performance.now();
  return { sentAt, createdAt, finalizerAt: await finalizer, readyAt: await ready };
}

function result(
  members: number,
  mode: JoinResult["mode"],
  rounds: number,
  samples: Sample[],
  errors: string[],
): JoinResult {
  return {
    members,
    mode,
    rounds,
    latency: summarize(
      samples.map((s) => s.readyAt - s.sentAt),
      1,
    ),
    create: summarize(
      samples.map((s) => s.createdAt - s.sentAt),
      1,
    ),
    finalizer: summarize(
      samples.map((s) => s.finalizerAt - s.sentAt),
      1,
    ),
    errors: errors.slice(0, 10),
  };
}
