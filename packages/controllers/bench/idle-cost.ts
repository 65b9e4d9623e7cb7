import { loadavg } from "node:os";
import { MiB, ProcessUsageReader, round } from "@atoll/bench-kit";
import type { MemberClusterWatch } from "./member-watch.ts";

/** A process's cost over the idle window: CPU as a fraction of one core, and RSS at its end. */
export type ProcessCost = { cores: number; cpuMs: number; rssMiB: number };

/** What joined, idle members cost the processes that watch them. */
export type IdleResult = {
  members: number;
  windowMs: number;
  controllers: ProcessCost;
  hub: ProcessCost;
  /** All `atoll sim` processes together (the members themselves answering probes and watches). */
  sims: ProcessCost;
  simProcesses: number;
  /** MemberCluster writes the hub's watch delivered during the window, per second. */
  memberClusterWritesPerSecond: number;
  /** The machine's 1-minute load average at the window's end (other work on the machine shows here). */
  loadAverage: number;
};

/**
 * Measures, over `windowMs` of idleness, the CPU time (utime + stime from
 * /proc/PID/stat) and RSS of the controllers, the hub API server and the sims.
 */
export async function measureIdleCost(options: {
  members: number;
  windowMs: number;
  controllersPid: number;
  hubPid: number;
  simPids: number[];
  watch: MemberClusterWatch;
}): Promise<IdleResult> {
  const reader = new ProcessUsageReader();
  const pids = [options.controllersPid, options.hubPid, ...options.simPids];
  const before = await Promise.all(pids.map((pid) => reader.read(pid)));
  const eventsBefore = options.watch.events;
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, options.windowMs));
  const after = await Promise.all(pids.map((pid) => reader.read(pid)));
  const elapsed = performance.now() - started;
  const eventsAfter = options.watch.events;
  const cost = (indices: number[]): ProcessCost => {
    let cpuMs = 0;
    let rss = 0;
    for (const i of indices) {
      cpuMs += (after[i].cpuMs ?? Number.NaN) - (before[i].cpuMs ?? Number.NaN);
      rss += after[i].rssBytes ?? Number.NaN;
    }
    return { cores: round(cpuMs / elapsed, 4), cpuMs: round(cpuMs), rssMiB: round(rss / MiB, 1) };
  };
  return {
    members: options.members,
    windowMs: round(elapsed),
    controllers: cost([0]),
    hub: cost([1]),
    sims: cost(options.simPids.map((_, i) => i + 2)),
    simProcesses: options.simPids.length,
    memberClusterWritesPerSecond: round(((eventsAfter - eventsBefore) * 1000) / elapsed, 2),
    loadAverage: round(loadavg()[0], 2),
  };
}
