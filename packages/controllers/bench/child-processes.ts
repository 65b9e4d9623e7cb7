import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

/** One pino log line as the Atoll CLI writes it; `fields` holds the whole parsed line. */
export type LogLine = { level: number; msg: string; fields: Record<string, unknown> };

const MAX_KEPT_WARNINGS = 20;
const CLI = "packages/cli/bin/atoll.ts";

/** An `atoll` child process: its pid, and the warn-or-worse log lines it wrote (the first few, and a count). */
export type AtollProcess = {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly warnings: string[];
  readonly warningCount: () => number;
};

/**
 * Starts `atoll` child processes and stops exactly those, by pid. When
 * `setpriv --pdeathsig` is available each child is started through it, so the
 * kernel kills the child if the benchmark dies without cleaning up.
 */
export class ChildProcesses {
  #children = new Set<ChildProcess>();
  #pdeathsig: boolean;
  #repoRoot: string;

  constructor(repoRoot: string) {
    this.#repoRoot = repoRoot;
    this.#pdeathsig = setprivSupportsPdeathsig();
  }

  get diesWithParent(): boolean {
    return this.#pdeathsig;
  }

  /**
   * Runs `atoll ARGS` and resolves once a log line satisfies `ready` (with that
   * process and the lines seen so far); rejects, after stopping it, if it exits
   * or stays silent past `deadlineMs`. Stdout is read for the process's whole life.
   */
  async startAtoll(
    args: string[],
    options: { deadlineMs: number; ready: (line: LogLine, seen: LogLine[]) => boolean },
  ): Promise<{ process: AtollProcess; seen: LogLine[] }> {
    // ATOLL_BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the children.
    const nodeArgs = (process.env.ATOLL_BENCH_NODE_ARGS ?? "").split(" ").filter((a) => a !== "");
    const node = [process.execPath, ...nodeArgs, CLI, ...args];
    // setpriv execs node in place, so the pid we hold is the atoll process's own.
    const [command, ...rest] = this.#pdeathsig ? ["setpriv", "--pdeathsig", "KILL", ...node] : node;
    const child = spawn(command, rest, { cwd: this.#repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    this.#children.add(child);
    child.once("exit", () => this.#children.delete(child));
    const stderr: string[] = [];
    child.stderr?.setEncoding("utf8").on("data", (text: string) => {
      stderr.push(text);
      if (stderr.length > 50) stderr.shift();
    });
    const warnings: string[] = [];
    let warningCount = 0;
    const atoll: AtollProcess = { child, pid: child.pid ?? 0, warnings, warningCount: () => warningCount };
    const seen: LogLine[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`not ready after ${options.deadlineMs} ms`)),
          options.deadlineMs,
        );
        void once(child, "exit").then(([code, signal]) => {
          clearTimeout(timer);
          reject(new Error(`exited (${String(signal ?? code)}) before it was ready`));
        });
        createInterface({ input: child.stdout ?? process.stdin }).on("line", (text) => {
          const line = parseLogLine(text);
          if (line.level >= 40) {
            warningCount++;
            if (warnings.length < MAX_KEPT_WARNINGS) warnings.push(text.slice(0, 400));
          }
          if (seen.length < 1000) seen.push(line);
          if (options.ready(line, seen)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      return { process: atoll, seen };
    } catch (error) {
      await this.stop(child);
      const tail = stderr.join("").trim().split("\n").slice(-10).join("\n");
      throw new Error(`failed to start atoll ${args.join(" ")}: ${String(error)}\n${tail}`, { cause: error });
    }
  }

  /** SIGTERM, then SIGKILL if the child has not exited after `graceMs`. */
  async stop(child: ChildProcess, graceMs = 5000): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = once(child, "exit");
    signal(child.pid, "SIGTERM");
    const timer = setTimeout(() => signal(child.pid ?? 0, "SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  }

  async stopAll(graceMs?: number): Promise<void> {
    await Promise.all([...this.#children].map((child) => this.stop(child, graceMs)));
  }
}

function parseLogLine(text: string): LogLine {
  try {
    const fields = JSON.parse(text) as Record<string, unknown>;
    return {
      level: typeof fields.level === "number" ? fields.level : 0,
      msg: typeof fields.msg === "string" ? fields.msg : "",
      fields,
    };
  } catch {
    return { level: 0, msg: "", fields: {} };
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  if (pid <= 0) return;
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

function setprivSupportsPdeathsig(): boolean {
  const help = spawnSync("setpriv", ["--help"], { encoding: "utf8" });
  return help.status === 0 && help.stdout.includes("--pdeathsig");
}
