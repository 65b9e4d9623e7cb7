import { join } from "node:path";
import type { ChildProcesses } from "@atoll/bench-kit";
import { MiB, ProcessUsageReader } from "@atoll/bench-kit";
import { type LocalEtcd, startLocalEtcd } from "../src/storage/etcd-store-server.ts";
import type { BenchConfig } from "./config.ts";
import { KubeClient } from "./kube-client.ts";
import { measureLists } from "./list-latency.ts";
import type { Backend, BackendResult, PhaseUsage } from "./report.ts";
import { startServerProcess } from "./server-process.ts";
import { measureThroughput } from "./throughput.ts";
import { measureWatch } from "./watch-latency.ts";

export type BackendRunOptions = {
  backend: Backend;
  children: ChildProcesses;
  config: BenchConfig;
  repoRoot: string;
  /** Where the sqlite backend keeps its database, and the etcd backend its etcd's data. */
  tempDir: string;
  log: (line: string) => void;
};

/**
 * Starts a server on the backend, runs the three phases against it from this
 * process (and the watch client processes), and stops it. A failing phase
 * ends the backend's run; what was measured before it is kept.
 */
export async function runBackend(options: BackendRunOptions): Promise<BackendResult> {
  const { backend, children, config, repoRoot, log } = options;
  const etcd = backend === "etcd" ? await startBenchEtcd(options) : undefined;
  const storage =
    backend === "memory"
      ? "memory"
      : etcd
        ? `etcd:${etcd.url}`
        : `sqlite:${join(options.tempDir, "bench.db")}`;
  if (etcd) log(`etcd: pid ${etcd.pid} at ${etcd.url}, data in ${options.tempDir}/etcd`);
  const server = await startServerProcess(children, {
    storage,
    repoRoot,
    readyDeadlineMs: config.serverReadyDeadlineMs,
  }).catch(async (error) => {
    await etcd?.stop();
    throw error;
  });
  log(`${backend}: server pid ${server.pid} at ${server.url}`);
  const result: BackendResult = { backend, phases: [], watch: [], serverErrors: server.errorLogs };
  const client = new KubeClient(server.url, config.concurrency);
  const usage = new ProcessUsageReader();
  const now = () => performance.now();
  const phase = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    log(`${backend}: ${name}`);
    const before = await usage.read(server.pid);
    const start = now();
    try {
      return await run();
    } finally {
      result.phases.push(await phaseUsage(usage, server.pid, { name, wallMs: now() - start, before }));
    }
  };
  try {
    result.throughput = await phase("creates, updates, gets", () =>
      measureThroughput({ client, config, namespace: "bench-configmaps", now }),
    );
    result.lists = await phase(`${config.listPods} pods, then lists`, () =>
      measureLists({ client, config, namespace: "bench", now }),
    );
    for (const run of config.watchRuns) {
      const namespace = `bench-watch-${run.writesPerSecond}`;
      const watch = { run, client, children, config, url: server.url, namespace, repoRoot };
      const name = `${config.watchers} watchers, ${run.writesPerSecond} writes/s`;
      result.watch.push(await phase(name, () => measureWatch(watch)));
    }
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
    log(`${backend}: ${result.error}`);
  } finally {
    result.serverPeakRssMiB = mib((await usage.read(server.pid)).peakRssBytes);
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      result.error ??= `server exited (${server.child.signalCode ?? server.child.exitCode}) during the run`;
    }
    await client.close();
    await children.stop(server.child);
    if (etcd) {
      result.storagePeakRssMiB = mib((await usage.read(etcd.pid)).peakRssBytes);
      await etcd.stop();
    }
  }
  return result;
}

/** A one-member etcd on disk beside the sqlite file, dying with the benchmark (setpriv) if it is killed. */
function startBenchEtcd(options: BackendRunOptions): Promise<LocalEtcd> {
  return startLocalEtcd({
    dataDir: join(options.tempDir, "etcd"),
    logFile: join(options.tempDir, "etcd.log"),
    wrapper: options.children.diesWithParent ? ["setpriv", "--pdeathsig", "KILL"] : undefined,
  });
}

type PhaseSpan = { name: string; wallMs: number; before: { cpuMs?: number } };

async function phaseUsage(usage: ProcessUsageReader, pid: number, span: PhaseSpan): Promise<PhaseUsage> {
  const after = await usage.read(pid);
  const cpuMs =
    after.cpuMs !== undefined && span.before.cpuMs !== undefined
      ? after.cpuMs - span.before.cpuMs
      : undefined;
  return {
    name: span.name,
    wallMs: Math.round(span.wallMs),
    serverCpuMs: cpuMs,
    serverCores: cpuMs === undefined ? undefined : Number((cpuMs / span.wallMs).toFixed(2)),
    serverRssMiB: mib(after.rssBytes),
  };
}

function mib(bytes: number | undefined): number | undefined {
  return bytes === undefined ? undefined : Math.round(bytes / MiB);
}
