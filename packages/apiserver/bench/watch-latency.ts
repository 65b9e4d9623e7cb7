import type { ChildProcess } from "node:child_process";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import type { ChildProcesses } from "@atoll/bench-kit";
import type { BenchConfig, WatchRun } from "./config.ts";
import { configMap } from "./fixtures.ts";
import { type KubeClient, recordAt } from "./kube-client.ts";
import type { ClientMessage, ReadyMessage, ResultMessage, WatchClientArgs } from "./watch-protocol.ts";
import { wallClockMs } from "./watch-protocol.ts";
import { summarizeWatch, type WatchResult } from "./watch-summary.ts";

export type WatchOptions = {
  run: WatchRun;
  client: KubeClient;
  children: ChildProcesses;
  config: BenchConfig;
  url: string;
  namespace: string;
  repoRoot: string;
};

const CLIENT_SCRIPT = fileURLToPath(new URL("./watch-client.ts", import.meta.url));

/**
 * Opens `watchers` watches on a namespace's ConfigMaps from `watchClients`
 * processes, writes `run.writes` ConfigMaps at `run.writesPerSecond`, each stamped
 * with its send time, and collects every delivery's latency.
 */
export async function measureWatch(options: WatchOptions): Promise<WatchResult> {
  const { client, config, namespace } = options;
  await client.ensureNamespace(namespace);
  const path = `/api/v1/namespaces/${namespace}/configmaps`;
  const revision = recordAt(await client.getJson(`${path}?limit=1`), "metadata").resourceVersion;
  const watchPath = `${path}?watch=true&resourceVersion=${String(revision)}`;
  const clients = spawnClients(options, watchPath);
  try {
    const ready = await Promise.all(
      clients.map((child) => nextMessage<ReadyMessage>(child, "ready", config.watchConnectDeadlineMs + 5000)),
    );
    const writes = await writeSteadily(options, path);
    const results = await Promise.all(
      clients.map((child) => {
        const result = nextMessage<ResultMessage>(child, "result", config.watchDrainDeadlineMs + 5000);
        child.send({ type: "finish", drainDeadlineMs: config.watchDrainDeadlineMs });
        return result;
      }),
    );
    return summarizeWatch({ config, run: options.run, ready, results, writes });
  } finally {
    await Promise.all(clients.map((child) => options.children.stop(child)));
  }
}

function spawnClients(options: WatchOptions, watchPath: string): ChildProcess[] {
  const { watchers, watchClients } = options.config;
  return Array.from({ length: watchClients }, (_, i) => {
    const share = Math.floor(watchers / watchClients) + (i < watchers % watchClients ? 1 : 0);
    const args: WatchClientArgs = {
      url: options.url,
      path: watchPath,
      watchers: share,
      expected: options.run.writes,
      connectDeadlineMs: options.config.watchConnectDeadlineMs,
    };
    return options.children.spawnNode({
      script: CLIENT_SCRIPT,
      args: [JSON.stringify(args)],
      cwd: options.repoRoot,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      serialization: "advanced",
    });
  });
}

export type Writes = {
  done: number;
  failed: number;
  rate: number;
  /** Send to reply of each successful write, ms. */
  latencies: number[];
  /** The longest this process's event loop was blocked while writing, ms: a large value taints the latencies. */
  writerLoopDelayMaxMs: number;
  firstError?: string;
};

/** Issues write i at start + i/rate without waiting for earlier ones, so a slow reply does not slow the rate. */
async function writeSteadily(options: WatchOptions, path: string): Promise<Writes> {
  const { writes, writesPerSecond } = options.run;
  const intervalMs = 1000 / writesPerSecond;
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const start = performance.now();
  const pending: Promise<unknown>[] = [];
  const latencies: number[] = [];
  for (let i = 0; i < writes; i++) {
    const wait = start + i * intervalMs - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const body = configMap(
      { name: `watched-${i}`, namespace: options.namespace, sentAtMs: wallClockMs() },
      i,
    );
    const sent = performance.now();
    pending.push(
      options.client.send("POST", path, body).then(() => latencies.push(performance.now() - sent)),
    );
  }
  const issuedMs = performance.now() - start;
  const settled = await Promise.allSettled(pending);
  loopDelay.disable();
  const failures = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected");
  return {
    done: settled.length - failures.length,
    failed: failures.length,
    rate: issuedMs > 0 ? (writes - 1) / (issuedMs / 1000) : 0,
    latencies,
    writerLoopDelayMaxMs: loopDelay.max / 1e6,
    firstError: failures[0] ? String(failures[0].reason) : undefined,
  };
}

function nextMessage<T extends ClientMessage>(
  child: ChildProcess,
  type: T["type"],
  timeoutMs: number,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`watch client ${child.pid}: no "${type}" within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onExit = (code: number | null) =>
      reject(new Error(`watch client ${child.pid} exited (${code}) before "${type}"`));
    const onMessage = (message: ClientMessage) => {
      if (message.type !== type) return;
      clearTimeout(timer);
      child.off("message", onMessage).off("exit", onExit);
      resolve(message as T);
    };
    child.on("message", onMessage).once("exit", onExit);
  });
}
