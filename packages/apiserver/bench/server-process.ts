import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { ChildProcesses } from "@atoll/bench-kit";

export type ServerProcessOptions = {
  /** `memory` or `sqlite:PATH`, as `atoll apiserver --storage` takes it. */
  storage: string;
  repoRoot: string;
  readyDeadlineMs: number;
};

/** An `atoll apiserver` child process, with the log lines it wrote at level error or above. */
export type ServerProcess = {
  url: string;
  pid: number;
  child: ChildProcess;
  errorLogs: string[];
};

const CLI = "packages/cli/bin/atoll.ts";
const MAX_KEPT_LOGS = 20;

/**
 * Starts `atoll apiserver --port 0` and resolves once it logs the URL it
 * listens on; rejects (after stopping it) if it exits or stays silent past the
 * deadline.
 */
export async function startServerProcess(
  children: ChildProcesses,
  options: ServerProcessOptions,
): Promise<ServerProcess> {
  const child = children.spawnNode({
    script: CLI,
    args: ["apiserver", "--port", "0", "--storage", options.storage, "--log-level", "info"],
    cwd: options.repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const errorLogs: string[] = [];
  const stderr: string[] = [];
  child.stderr?.setEncoding("utf8").on("data", (text: string) => keepTail(stderr, text));
  try {
    const url = await waitForUrl(child, errorLogs, options.readyDeadlineMs);
    return { url, pid: child.pid ?? 0, child, errorLogs };
  } catch (error) {
    await children.stop(child);
    const tail = stderr.join("").trim().split("\n").slice(-15).join("\n");
    throw new Error(
      `failed to start atoll apiserver --storage ${options.storage}: ${String(error)}\n${tail}`,
      {
        cause: error,
      },
    );
  }
}

function waitForUrl(child: ChildProcess, errorLogs: string[], deadlineMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL logged within ${deadlineMs} ms`)), deadlineMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`exited (${signal ?? code}) before it was ready`));
    });
    // Reading every line also keeps the pipe drained for the server's whole life.
    const lines = createInterface({ input: child.stdout ?? process.stdin });
    lines.on("line", (line) => {
      const entry = parseLogLine(line);
      if (entry.level >= 50 && errorLogs.length < MAX_KEPT_LOGS) errorLogs.push(line);
      if (entry.url) {
        clearTimeout(timer);
        resolve(entry.url);
      }
    });
  });
}

function parseLogLine(line: string): { level: number; url?: string } {
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== "object" || parsed === null) return { level: 0 };
    const { level, url } = parsed as { level?: unknown; url?: unknown };
    return { level: typeof level === "number" ? level : 0, url: typeof url === "string" ? url : undefined };
  } catch {
    return { level: 0 };
  }
}

function keepTail(lines: string[], text: string): void {
  lines.push(text);
  if (lines.length > 50) lines.shift();
}
