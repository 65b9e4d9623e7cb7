import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { ChildProcesses as BaseChildProcesses } from "@atoll/bench-kit";

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

/** Bench-kit's child processes, plus starting `atoll` commands and waiting for their readiness log line. */
export class ChildProcesses extends BaseChildProcesses {
  #repoRoot: string;

  constructor(repoRoot: string) {
    super();
    this.#repoRoot = repoRoot;
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
    const child = this.spawnNode({
      script: CLI,
      args,
      cwd: this.#repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
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
