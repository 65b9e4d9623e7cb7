import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { ProcessUsageReader } from "@atoll/bench-kit";
import { NodeChildren } from "../src/up/node-runtime.ts";
import { isAlive, processTree, waitGone } from "../src/up/process-tree.ts";
import { READY_HEADLINE } from "../src/up/ready-block.ts";

const BIN = new URL("../bin/atoll.ts", import.meta.url).pathname;

/** One `atoll up` as measured from outside: time to its ready block, the fleet's memory, time to stop. */
export type FleetRun = {
  label: string;
  readyMs: number;
  /** Summed over the up process and its members after `settleMs`. */
  rssBytes: number;
  /** Proportional set size: shared pages (the node binary) counted once across the fleet. */
  pssBytes: number;
  peakRssBytes: number;
  perProcessRssBytes: number[];
  processes: number;
  stopMs: number;
};

export type FleetRunOptions = {
  label: string;
  dataDir: string;
  firstId: number;
  members: number;
  settleMs: number;
  readyDeadlineMs: number;
  env: NodeJS.ProcessEnv;
};

/**
 * Runs `atoll up --port 0` as a user would, waits for its ready block, lets
 * the fleet settle, reads every process's memory from /proc, then stops it
 * with SIGINT and checks that no process is left.
 */
export async function measureFleet(options: FleetRunOptions): Promise<FleetRun> {
  const args = ["up", "--port", "0", "--data-dir", options.dataDir];
  args.push("--first-id", String(options.firstId), "--members", String(options.members));
  const started = performance.now();
  // The benchmark is the parent: its fleet dies with it (setpriv --pdeathsig) if it is killed.
  const node = [process.execPath, BIN, ...args];
  const [command, ...argv] = new NodeChildren().diesWithParent
    ? ["setpriv", "--pdeathsig", "KILL", ...node]
    : node;
  const child = spawn(command, argv, { stdio: ["ignore", "pipe", "pipe"], env: options.env });
  try {
    await waitForReady(child, options.readyDeadlineMs);
    const readyMs = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, options.settleMs));
    const pids = await processTree(child.pid ?? 0);
    const reader = new ProcessUsageReader();
    const usages = await Promise.all(pids.map((pid) => reader.read(pid)));
    const pss = await Promise.all(pids.map(pssBytes));
    const stopStarted = performance.now();
    await stop(child, pids);
    return {
      label: options.label,
      readyMs,
      rssBytes: sum(usages.map((u) => u.rssBytes ?? 0)),
      pssBytes: sum(pss),
      peakRssBytes: sum(usages.map((u) => u.peakRssBytes ?? 0)),
      perProcessRssBytes: usages.map((u) => u.rssBytes ?? 0),
      processes: pids.length,
      stopMs: performance.now() - stopStarted,
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}

function waitForReady(child: ChildProcess, deadlineMs: number): Promise<void> {
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`not ready after ${deadlineMs} ms:\n${output}`)),
      deadlineMs,
    );
    const onData = (text: string) => {
      output += text;
      if (output.includes(READY_HEADLINE)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.setEncoding("utf8").on("data", onData);
    child.stderr?.setEncoding("utf8").on("data", (text: string) => {
      output += text;
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`atoll up exited (${code}) before it was ready:\n${output}`));
    });
  });
}

async function stop(child: ChildProcess, pids: number[]): Promise<void> {
  const exited = once(child, "exit");
  child.kill("SIGINT");
  const [code] = await exited;
  if (code !== 0) throw new Error(`atoll up exited ${code} after SIGINT`);
  if (!(await waitGone(pids, 5000)))
    throw new Error(`processes left behind: ${pids.filter(isAlive).join(",")}`);
}

async function pssBytes(pid: number): Promise<number> {
  const text = await readFile(`/proc/${pid}/smaps_rollup`, "utf8").catch(() => "");
  const kib = /^Pss:\s+(\d+) kB$/m.exec(text)?.[1];
  return kib === undefined ? 0 : Number(kib) * 1024;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
