import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { createInterface } from "node:readline";
import type { NodeChildren } from "./node-runtime.ts";

const SIM_ENTRY = new URL("./sim-entry.ts", import.meta.url).pathname;
const KEPT_ERROR_LINES = 20;

export type MemberProcessOptions = {
  name: string;
  id: number;
  dataDir: string;
  storage: "sqlite" | "memory";
  /** The member's stdout and stderr are appended here. */
  logPath: string;
  children: NodeChildren;
  env: NodeJS.ProcessEnv;
  /** Give up (and stop the child) if it is not ready by then. */
  deadlineMs: number;
  signal?: AbortSignal;
};

/** What `atoll sim` announced once its member was up. */
export type MemberAddress = { url: string; kubeconfig: string; admin: string };

/**
 * One member as its own `atoll sim` process (so it can be killed like a real
 * cluster). Its JSON log lines go to its log file; `start` resolves once the
 * member logs "member ready".
 */
export class MemberProcess {
  readonly name: string;
  readonly pid: number;
  readonly address: MemberAddress;
  #child: ChildProcess;
  #log: WriteStream;

  private constructor(name: string, child: ChildProcess, log: WriteStream, address: MemberAddress) {
    this.name = name;
    this.pid = child.pid ?? 0;
    this.#child = child;
    this.#log = log;
    this.address = address;
  }

  static async start(options: MemberProcessOptions): Promise<MemberProcess> {
    const log = createWriteStream(options.logPath, { flags: "a" });
    const args = ["--name", options.name, "--id", String(options.id), "--data-dir", options.dataDir];
    args.push("--storage", options.storage, "--log-level", "info");
    const { command, args: argv } = options.children.command(SIM_ENTRY, args);
    const child = spawn(command, argv, { env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    const errors: string[] = [];
    const keep = (line: string) => {
      errors.push(line);
      if (errors.length > KEPT_ERROR_LINES) errors.shift();
    };
    createInterface({ input: child.stderr ?? process.stdin }).on("line", (line) => {
      log.write(`${line}\n`);
      keep(line);
    });
    let ready: ((address: MemberAddress) => void) | undefined;
    createInterface({ input: child.stdout ?? process.stdin }).on("line", (line) => {
      log.write(`${line}\n`);
      const fields = parseJson(line);
      if (fields.level !== undefined && Number(fields.level) >= 50) keep(String(fields.msg ?? line));
      if (fields.msg === "member ready" && ready) {
        ready({
          url: String(fields.url),
          kubeconfig: String(fields.kubeconfig),
          admin: String(fields.admin),
        });
        ready = undefined;
      }
    });
    try {
      const address = await new Promise<MemberAddress>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`not ready after ${options.deadlineMs} ms`)),
          options.deadlineMs,
        );
        const abort = () => reject(options.signal?.reason ?? new Error("aborted"));
        options.signal?.addEventListener("abort", abort, { once: true });
        ready = (address) => {
          clearTimeout(timer);
          options.signal?.removeEventListener("abort", abort);
          resolve(address);
        };
        child.once("error", reject);
        child.once("exit", (code, signal) => {
          clearTimeout(timer);
          const why = errors.length > 0 ? `: ${errors.join("\n")}` : "";
          reject(new Error(`exited (${signal ?? code}) before it was ready${why}`));
        });
      });
      return new MemberProcess(options.name, child, log, address);
    } catch (error) {
      await stopChild(child, 5000);
      log.end();
      throw error;
    }
  }

  /** SIGTERM (the member closes its storage), then SIGKILL after `graceMs`; resolves once it is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    await stopChild(this.#child, graceMs);
    await new Promise<void>((resolve) => this.#log.end(() => resolve()));
  }
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, "exit");
    signal(pid, "SIGTERM");
    const timer = setTimeout(() => signal(pid, "SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

function parseJson(line: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
