import { percentile, round } from "@atoll/bench-kit";
import type { BenchConfig } from "./config.ts";
import { deployment, namespace } from "./fixtures.ts";
import type { MemberClient } from "./member-client.ts";
import type { LoopDelayReply, MemoryReply } from "./memory-probe.ts";
import { PodWatch } from "./pod-watch.ts";
import { type RampRate, rampRate } from "./ramp-stats.ts";
import type { SimProcess } from "./sim-process.ts";

/** The member's memory (after a full GC) with `pods` Ready pods of the ramp Deployment. */
export type MemorySample = MemoryReply & { pods: number; events: number };

/** One scale-up step: from the previous step's replicas to `replicas`. */
export type RampStep = {
  replicas: number;
  ready: RampRate;
  /** Per pod: first seen on the watch → Ready. */
  podReadyP50Ms: number;
  podReadyP99Ms: number;
  /** Member CPU time per pod added, over the step (includes events, status writes, heartbeats). */
  memberCpuMsPerPod: number;
  /** This benchmark's own CPU time over the step (it shares the cores). */
  benchCpuMs: number;
  /** The member's event-loop delay over the step: how long a request from outside could wait. */
  loopDelay: LoopDelayReply;
};

export type RampResult = {
  steps: RampStep[];
  deleted: RampRate;
  deleteLoopDelay: LoopDelayReply;
  /** Before any pod, after each step, and after the deletion. */
  memory: MemorySample[];
};

const NAMESPACE = "bench-ramp";
const NAME = "ramp";
const SETTLE_MS = 1000;

/**
 * Sustained pods/s and memory per pod: scales one Deployment up through
 * `rampSteps`, stamping each pod's Ready on a watch and reading the member's
 * memory after a full GC at every plateau, then deletes it and times the pods'
 * removal.
 */
export async function measureRamp(
  sim: SimProcess,
  client: MemberClient,
  config: BenchConfig,
  log: (line: string) => void,
): Promise<RampResult> {
  await client.send("POST", "/api/v1/namespaces", namespace(NAMESPACE));
  const path = `/apis/apps/v1/namespaces/${NAMESPACE}/deployments`;
  await client.send("POST", path, deployment(NAMESPACE, NAME, 0));
  const watch = await PodWatch.start(client, NAMESPACE);
  const memory: MemorySample[] = [await sample(sim, client, 0)];
  const steps: RampStep[] = [];
  try {
    for (const replicas of config.rampSteps) {
      const before = new Set(watch.records(NAME).map((p) => p.name));
      const cpuBefore = (await sim.usage()).cpuMs ?? Number.NaN;
      const benchCpu = process.cpuUsage();
      await sim.loopDelay();
      const started = performance.now();
      await client.send("PATCH", `${path}/${NAME}`, { spec: { replicas } }, "application/merge-patch+json");
      await watch.waitFor(
        () => watch.readyCount(NAME) >= replicas,
        config.rampDeadlineMs,
        `${replicas} Ready pods`,
      );
      const added = watch.records(NAME).filter((p) => !before.has(p.name) && p.readyAt !== undefined);
      const loopDelay = await sim.loopDelay();
      const cpuAfter = (await sim.usage()).cpuMs ?? Number.NaN;
      const used = process.cpuUsage(benchCpu);
      const perPod = added.map((p) => (p.readyAt ?? 0) - p.seenAt);
      steps.push({
        replicas,
        ready: rampRate(
          started,
          added.map((p) => p.readyAt ?? 0),
        ),
        podReadyP50Ms: round(percentile(perPod, 50)),
        podReadyP99Ms: round(percentile(perPod, 99)),
        memberCpuMsPerPod: round((cpuAfter - cpuBefore) / Math.max(1, added.length), 2),
        benchCpuMs: round((used.user + used.system) / 1000),
        loopDelay,
      });
      log(`ramp to ${replicas}: ${steps.at(-1)?.ready.podsPerSecond} pods/s`);
      await settle(client, `${path}/${NAME}`, replicas, config.rampDeadlineMs);
      memory.push(await sample(sim, client, replicas));
    }
    const live = watch.count(NAME);
    await sim.loopDelay();
    const started = performance.now();
    await client.send("DELETE", `${path}/${NAME}?propagationPolicy=Background`);
    await watch.waitFor(() => watch.count(NAME) === 0, config.rampDeadlineMs, "every ramp pod to be deleted");
    const deleteLoopDelay = await sim.loopDelay();
    const deletedTimes = watch.records(NAME).flatMap((p) => (p.deletedAt === undefined ? [] : [p.deletedAt]));
    const deleted = rampRate(started, deletedTimes.slice(-live));
    log(`delete ${live}: ${deleted.podsPerSecond} pods/s`);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    memory.push(await sample(sim, client, 0));
    return { steps, deleted, deleteLoopDelay, memory };
  } finally {
    watch.stop();
  }
}

/** Waits until the Deployment's status agrees (the controllers have caught up), then a little longer for events. */
async function settle(
  client: MemberClient,
  path: string,
  replicas: number,
  deadlineMs: number,
): Promise<void> {
  const deadline = performance.now() + deadlineMs;
  while (performance.now() < deadline) {
    const status = ((await client.send("GET", path)) as { status?: { readyReplicas?: number } }).status;
    if (status?.readyReplicas === replicas) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
}

async function sample(sim: SimProcess, client: MemberClient, pods: number): Promise<MemorySample> {
  const events = (await client.send("GET", `/api/v1/namespaces/${NAMESPACE}/events`)) as { items: unknown[] };
  return { ...(await sim.memory(true)), pods, events: events.items.length };
}
