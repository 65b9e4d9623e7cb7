import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import type { ChildProcesses } from "@atoll/bench-kit";
import { type ProcessUsage, ProcessUsageReader } from "@atoll/bench-kit";
import type { LoopDelayReply, MemoryReply, ProbeRequest } from "./memory-probe.ts";

export type SimProcessOptions = {
  repoRoot: string;
  /** `atoll sim` arguments after `sim` (--id, --count, --data-dir …). */
  args: string[];
  /** How many "member ready" lines to wait for. */
  members: number;
  readyDeadlineMs: number;
};

/** One member as `atoll sim` announced it. */
export type ReadyMember = { name: string; url: string; kubeconfig: string };

const CLI = "packages/cli/bin/atoll.ts";
const PROBE = new URL("./memory-probe.ts", import.meta.url).pathname;
const MAX_KEPT_LINES = 20;
const PROBE_TIMEOUT_MS = 20_000;

/**
 * An `atoll sim` child process with the memory probe preloaded: its members,
 * how long they took to start, and its memory and CPU on request.
 */
export class SimProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly members: ReadyMember[];
  /** Spawn to the last "member ready" line. */
  readonly startMs: number;
  /** Log lines at level warn or above (the first few). */
  readonly warnings: string[];
  #usage = new ProcessUsageReader();
  #nextId = 1;

  private constructor(child: ChildProcess, members: ReadyMember[], startMs: number, warnings: string[]) {
    this.child = child;
    this.pid = child.pid ?? 0;
    this.members = members;
    this.startMs = startMs;
    this.warnings = warnings;
  }

  /** Starts the process and resolves once `members` members are ready; on failure stops it and rejects. */
  static async start(children: ChildProcesses, options: SimProcessOptions): Promise<SimProcess> {
    const started = performance.now();
    const child = children.spawnNode({
      nodeArgs: ["--expose-gc", "--import", PROBE],
      script: CLI,
      args: ["sim", ...options.args, "--log-level", "info"],
      cwd: options.repoRoot,
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    const stderr: string[] = [];
    child.stderr?.setEncoding("utf8").on("data", (text: string) => keepTail(stderr, text));
    const warnings: string[] = [];
    try {
      const members = await waitForMembers(child, options, warnings);
      return new SimProcess(child, members, performance.now() - started, warnings);
    } catch (error) {
      await children.stop(child);
      const tail = stderr.join("").trim().split("\n").slice(-10).join("\n");
      throw new Error(`failed to start atoll sim ${options.args.join(" ")}: ${String(error)}\n${tail}`, {
        cause: error,
      });
    }
  }

  /** process.memoryUsage() inside the member process, after a full GC when `gc`. */
  memory(gc: boolean): Promise<MemoryReply> {
    return this.#ask({ id: this.#nextId++, type: "memory", gc }) as Promise<MemoryReply>;
  }

  /** The member's event-loop delay since the previous call (the first call covers its whole life). */
  loopDelay(): Promise<LoopDelayReply> {
    return this.#ask({ id: this.#nextId++, type: "loop-delay" }) as Promise<LoopDelayReply>;
  }

  #ask(request: ProbeRequest): Promise<unknown> {
    const reply = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.child.off("message", onMessage);
        reject(new Error(`memory probe did not answer within ${PROBE_TIMEOUT_MS} ms`));
      }, PROBE_TIMEOUT_MS);
      const onMessage = (message: unknown) => {
        if ((message as { id?: unknown } | null)?.id !== request.id) return;
        clearTimeout(timer);
        this.child.off("message", onMessage);
        resolve(message);
      };
      this.child.on("message", onMessage);
    });
    this.child.send(request);
    return reply;
  }

  /** CPU time and RSS from /proc. */
  usage(): Promise<ProcessUsage> {
    return this.#usage.read(this.pid);
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }
}

function waitForMembers(
  child: ChildProcess,
  options: SimProcessOptions,
  warnings: string[],
): Promise<ReadyMember[]> {
  const members: ReadyMember[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(`${members.length}/${options.members} members ready after ${options.readyDeadlineMs} ms`),
        ),
      options.readyDeadlineMs,
    );
    void once(child, "exit").then(([code, signal]) => {
      clearTimeout(timer);
      reject(
        new Error(
          `exited (${String(signal ?? code)}) with ${members.length}/${options.members} members ready`,
        ),
      );
    });
    // Reading every line also keeps the pipe drained for the process's whole life.
    const lines = createInterface({ input: child.stdout ?? process.stdin });
    lines.on("line", (line) => {
      const entry = parseLogLine(line);
      if (entry.level >= 40 && warnings.length < MAX_KEPT_LINES) warnings.push(line.slice(0, 400));
      if (entry.msg !== "member ready") return;
      members.push({ name: entry.member, url: entry.url, kubeconfig: entry.kubeconfig });
      if (members.length === options.members) {
        clearTimeout(timer);
        resolve(members);
      }
    });
  });
}

type LogLine = { level: number; msg: string; member: string; url: string; kubeconfig: string };

function parseLogLine(line: string): LogLine {
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  try {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    return {
      level: typeof parsed.level === "number" ? parsed.level : 0,
      msg: text(parsed.msg),
      member: text(parsed.member),
      url: text(parsed.url),
      kubeconfig: text(parsed.kubeconfig),
    };
  } catch {
    return { level: 0, msg: "", member: "", url: "", kubeconfig: "" };
  }
}

function keepTail(lines: string[], text: string): void {
  lines.push(text);
  if (lines.length > 50) lines.shift();
}
