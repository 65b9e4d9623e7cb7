import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, open } from "node:fs/promises";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export type LocalEtcdOptions = {
  /** etcd's --data-dir; created if missing, reused as it is otherwise. */
  dataDir: string;
  /** Loopback address to listen on (default 127.0.0.1). */
  host?: string;
  /** Client port; 0 or absent asks the OS for a free one. */
  clientPort?: number;
  /** Peer port (etcd needs one even alone); 0 or absent asks the OS. */
  peerPort?: number;
  /** Where etcd's own log goes (appended); absent discards it. */
  logFile?: string;
  /** The etcd binary (default "etcd" from PATH). */
  binary?: string;
  /** How long etcd may take to answer /health, in ms (default 20 000). */
  startTimeoutMs?: number;
  /** A command that execs its arguments, put before etcd's (e.g. `setpriv --pdeathsig KILL`). */
  wrapper?: readonly string[];
};

/** A running single-member etcd started by `startLocalEtcd`. */
export type LocalEtcd = {
  /** The client URL, `http://host:port`. */
  url: string;
  clientPort: number;
  peerPort: number;
  pid: number;
  /** Resolves when the process exits, with its exit code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `graceMs` (default 5000); resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
};

/**
 * Starts one etcd member on a loopback address and resolves once it is healthy,
 * with its client URL. A fresh data dir makes a new one-member cluster; an
 * existing one is brought back with its keys and revision. Fails (having
 * stopped the process) when etcd exits or stays unhealthy past the timeout,
 * quoting the end of its log when there is one.
 */
export async function startLocalEtcd(options: LocalEtcdOptions): Promise<LocalEtcd> {
  const host = options.host ?? "127.0.0.1";
  const clientPort = options.clientPort || (await freePort(host));
  const peerPort = options.peerPort || (await freePort(host));
  const url = `http://${host}:${clientPort}`;
  const peerUrl = `http://${host}:${peerPort}`;
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const log = options.logFile ? await open(options.logFile, "a") : undefined;
  const args = [
    "--name=atoll",
    `--data-dir=${options.dataDir}`,
    `--listen-client-urls=${url}`,
    `--advertise-client-urls=${url}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=atoll=${peerUrl}`,
    "--log-level=warn",
    "--logger=zap",
  ];
  let child: ChildProcess;
  try {
    const [command, ...rest] = [...(options.wrapper ?? []), options.binary ?? "etcd", ...args];
    child = spawn(command, rest, {
      stdio: ["ignore", log?.fd ?? "ignore", log?.fd ?? "ignore"],
    });
  } finally {
    await log?.close();
  }
  const exited = once(child, "exit").then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  const spawnError = once(child, "error").then(([error]) => error as Error);
  const stop = async (graceMs = 5000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  let ended: string | undefined;
  void exited.then(({ code, signal }) => {
    ended = `etcd exited (${signal ?? `code ${code}`})`;
  });
  void spawnError.then((error) => {
    ended = `etcd could not start: ${error.message}`;
  });
  while (ended === undefined && Date.now() < deadline) {
    if (await healthy(url)) {
      return { url, clientPort, peerPort, pid: child.pid ?? 0, exited, stop };
    }
    await sleep(50);
  }
  await stop(1000);
  const where = options.logFile ? ` (see ${options.logFile})` : "";
  throw new Error(
    `failed to start etcd on ${url} with data in ${options.dataDir}: ${ended ?? "not healthy in time"}${where}`,
  );
}

async function healthy(url: string): Promise<boolean> {
  try {
    const response = await fetchHealth(`${url}/health`);
    return response.includes('"health":"true"');
  } catch {
    return false;
  }
}

function fetchHealth(url: string): Promise<string> {
  const { get } = process.getBuiltinModule("node:http");
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, timeout: 1000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve(body));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

/** A port the OS says is free on `host` now (another process may take it before etcd does). */
export async function freePort(host: string): Promise<number> {
  const server = createServer();
  server.listen(0, host);
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error(`no free port on ${host}`);
  return address.port;
}
