import { spawn } from "node:child_process";
import { childPids } from "./container-state.ts";
import { processEnv } from "./process-env.ts";
import type { Sandbox } from "./sandbox.ts";

export type ExecOptions = {
  sandbox: Sandbox;
  /** The container's process (`ContainerProcess.pid`). */
  pid: number;
  command: string[];
  /** The container's variables (as given to `startContainer`). */
  env: Record<string, string>;
  hostname?: string;
  /** Killed after this long (the probe's timeoutSeconds). */
  timeoutMs: number;
  /** Only for a `plain` sandbox: where to run (default "/"). */
  workingDir?: string;
  /** Which part of a longer output is kept: its start (default, as for probes) or its end. */
  keep?: "head" | "tail";
  /** Also given stdout alone, chunk by chunk (the result's `output` mixes in stderr). */
  onStdout?: (chunk: Buffer) => void;
};

/** How an exec ended: `exitCode` null when it was killed (see `timedOut`). */
export type ExecResult = { exitCode: number | null; output: string; timedOut: boolean };

/** Combined stdout and stderr kept per exec, as the kubelet keeps for exec probes. */
export const MAX_EXEC_OUTPUT = 10 * 1024;

/**
 * Runs a command inside a running container: in its mount, UTS and PID
 * namespaces, root and working directory (`nsenter --target <pid> --mount
 * --uts --pid --root --wd`), with the container's environment. Without a namespace
 * sandbox or without `nsenter` the command runs on the host, in `workingDir`.
 */
export function execInContainer(options: ExecOptions): Promise<ExecResult> {
  const env = processEnv(options.env, options.hostname);
  const { sandbox } = options;
  const nsenter = sandbox.kind === "namespaces" ? sandbox.tools.nsenter : undefined;
  const [program, ...args] =
    nsenter !== undefined
      ? [
          nsenter,
          `--target=${options.pid}`,
          "--mount",
          "--uts",
          "--pid",
          "--root",
          "--wd",
          "--",
          ...options.command,
        ]
      : options.command;
  return new Promise((resolve) => {
    const child = spawn(program, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env,
      cwd: nsenter !== undefined ? "/" : (options.workingDir ?? "/"),
      detached: true,
    });
    let output = "";
    const collect =
      options.keep === "tail"
        ? (chunk: Buffer) => {
            output = (output + chunk.toString()).slice(-MAX_EXEC_OUTPUT);
          }
        : (chunk: Buffer) => {
            if (output.length < MAX_EXEC_OUTPUT)
              output = (output + chunk.toString()).slice(0, MAX_EXEC_OUTPUT);
          };
    child.stdout.on("data", collect);
    if (options.onStdout) child.stdout.on("data", options.onStdout);
    child.stderr.on("data", collect);
    let timedOut = false;
    let lastResort: NodeJS.Timeout | undefined;
    const timer = setTimeout(async () => {
      timedOut = true;
      const pid = child.pid;
      if (pid === undefined) return;
      // nsenter's child is in the container's PID namespace: kill it first and let nsenter reap it, or
      // it would be reparented outside the namespace and its zombie would hold the namespace open.
      for (const grandchild of nsenter !== undefined ? await childPids(pid) : []) signal(grandchild);
      lastResort = setTimeout(() => signal(-pid), nsenter !== undefined ? 1000 : 0);
    }, options.timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      clearTimeout(lastResort);
      resolve({ exitCode: null, output: error.message, timedOut: false });
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      clearTimeout(lastResort);
      resolve({ exitCode: timedOut ? null : code, output, timedOut });
    });
  });
}

function signal(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}
