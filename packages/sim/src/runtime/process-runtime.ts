import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, readFile, readlink, stat } from "node:fs/promises";
import { constants } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { type Clock, systemClock } from "@atoll/kube/clock";
import { checkContainerId, processStartTicks, removeRecord, writeRecord } from "./container-state.ts";
import { RuntimeError } from "./errors.ts";
import { CriLogWriter } from "./log-writer.ts";
import { parseMountInfo, READY_MARKER, sandboxScript } from "./mount-plan.ts";
import type { ContainerMount } from "./prepare.ts";
import { checkExecutable, processEnv } from "./process-env.ts";
import { containerArgv, type ResolvedImage } from "./runtime-config.ts";
import { type Sandbox, UNSHARE_FLAGS } from "./sandbox.ts";

export type StartOptions = {
  sandbox: Sandbox;
  /** Unique per container instance (e.g. `<podUID>_<name>_<restartCount>`); names its state record. */
  id: string;
  /** Where records of running containers are kept for `cleanupOrphans`. */
  stateDir: string;
  image: ResolvedImage;
  /** After `$(VAR)` expansion (`prepareContainer` returns them so). */
  command?: string[];
  args?: string[];
  /** The container's variables; PATH and HOSTNAME defaults are added beneath them. */
  env: Record<string, string>;
  mounts: readonly ContainerMount[];
  workingDir?: string;
  hostname?: string;
  /** A host directory private to this container instance's runtime state (`prepareContainer`'s `containerDir`). */
  runDir: string;
  /** stdout and stderr are appended here in CRI log format (see `CriLogWriter`). */
  logFile: string;
  /** For log timestamps and `startedAt`; default the system clock. */
  clock?: Clock;
  /** Longest wait for the sandbox to build the root (default 30 s). */
  setupTimeoutMs?: number;
};

/**
 * How a container ended. `exitCode` follows the container convention: a
 * death by signal n reads as 128+n (137 for SIGKILL). `signal` names the
 * signal when the runtime saw it directly (the `plain` sandbox); in the
 * namespace sandbox only the code is known. `exitCode` is null only when the
 * process could not be spawned at all.
 */
export type ContainerExit = { exitCode: number | null; signal: string | null };

/** A running container process. */
export type ContainerProcess = {
  /** The program's own pid on the host (for `execInContainer`, signals, `/proc`). */
  pid: number;
  argv: string[];
  startedAt: Date;
  /** Non-fatal sandbox problems (a host mount that could not be mirrored). */
  warnings: string[];
  /** Settles when the process has exited, its leftover children are killed and its log is flushed. */
  exited: Promise<ContainerExit>;
  /** SIGTERM to the program, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs: number): Promise<ContainerExit>;
};

/**
 * Starts a container as a real process (see `Sandbox` for the isolation).
 * Resolves once the process runs; rejects with `RunContainerError` when the
 * executable is missing or the sandbox cannot be built. When the program
 * exits, whatever else it started is killed (the PID namespace goes; in the
 * `plain` sandbox, its process group is killed). Unlike in a real container
 * the program is not PID 1 of its namespace (a small shell is, to report its
 * status), so SIGTERM stops it even without a handler. Listening on the pod
 * IP is the program's business (e.g. etcd's `--listen-client-urls`).
 */
export async function startContainer(options: StartOptions): Promise<ContainerProcess> {
  checkContainerId(options.id);
  const clock = options.clock ?? systemClock;
  const argv = containerArgv(options.image, options.command, options.args);
  const env = processEnv(options.env, options.hostname);
  const { sandbox } = options;
  const mounts = sandbox.kind === "namespaces" ? options.mounts : [];
  await checkExecutable(argv[0], env.PATH ?? "", mounts);
  const log = await CriLogWriter.open(options.logFile, clock);
  let child: ChildProcess;
  if (sandbox.kind === "namespaces") {
    const stageDir = join(options.runDir, "sandbox");
    await mkdir(stageDir, { recursive: true });
    const { script } = await sandboxScript({
      tools: sandbox.tools,
      stageDir,
      mounts,
      workingDir: options.workingDir,
      hostname: options.hostname,
      hostMounts: parseMountInfo(await readFile("/proc/self/mountinfo", "utf8")),
    });
    const { setpriv, unshare, sh } = sandbox.tools;
    const args = ["--pdeathsig", "KILL", "--", unshare, ...UNSHARE_FLAGS, "--"];
    child = spawn(setpriv, [...args, sh, "-c", script, "atoll-sandbox", ...argv], {
      stdio: ["ignore", "pipe", "pipe", "pipe"],
      env,
      detached: true,
      cwd: "/",
    });
  } else {
    const cwd = options.workingDir && (await stat(options.workingDir).catch(() => undefined))?.isDirectory();
    const command =
      sandbox.setpriv !== undefined ? [sandbox.setpriv, "--pdeathsig", "KILL", "--", ...argv] : argv;
    child = spawn(command[0], command.slice(1), {
      stdio: ["ignore", "pipe", "pipe"],
      env,
      detached: true,
      cwd: cwd ? options.workingDir : "/",
    });
  }
  const outputs = [
    log.attach(child.stdout as Readable, "stdout"),
    log.attach(child.stderr as Readable, "stderr"),
  ];
  const exitEvent = new Promise<ContainerExit>((resolve) => {
    child.once("exit", (exitCode, signal) => {
      const number = signal === null ? undefined : constants.signals[signal];
      resolve({ exitCode: exitCode ?? (number === undefined ? null : 128 + number), signal });
    });
    child.once("error", () => resolve({ exitCode: null, signal: null }));
  });
  // Listen to fd 3 at once: once the child exits, Node drains unread pipes and their data is lost.
  const setupRead =
    sandbox.kind === "namespaces"
      ? readSetup(child.stdio[3] as Readable, exitEvent, options.setupTimeoutMs ?? 30_000)
      : undefined;
  const leader = child.pid;
  const recorded = leader === undefined ? Promise.resolve() : record(options, leader, argv);
  const exited = exitEvent.then(async (exit) => {
    if (leader !== undefined) signalGroup(leader, "SIGKILL");
    await Promise.race([Promise.all(outputs), delay(2000)]);
    child.stdout?.destroy();
    child.stderr?.destroy();
    await log.close();
    await recorded;
    await removeRecord(options.stateDir, options.id);
    return exit;
  });
  if (leader === undefined) {
    await exited;
    throw new RuntimeError("RunContainerError", `could not spawn ${argv[0]}`);
  }
  await recorded;
  const warnings: string[] = [];
  let pid = leader;
  if (setupRead !== undefined) {
    const setup = await setupRead;
    if (setup.pid === undefined) {
      signalGroup(leader, "SIGKILL");
      await exited;
      throw new RuntimeError(
        "RunContainerError",
        `sandbox setup failed: ${setup.text.trim() || "no output"}`,
      );
    }
    pid = setup.pid;
    // The marker comes just before `unshare --root` runs; an exec must not see the container half-entered.
    await enteredRoot(pid, join(options.runDir, "sandbox", "root"), exitEvent);
    warnings.push(...setup.text.split("\n").filter((line) => line.trim() !== ""));
  }
  let done = false;
  void exited.then(() => {
    done = true;
  });
  return {
    pid,
    argv,
    startedAt: clock.now(),
    warnings,
    exited,
    async stop(graceMs: number) {
      if (done) return exited;
      signalProcess(pid, "SIGTERM");
      // The program first, so its status reads as killed; the whole group if that is not enough.
      const timers = [
        setTimeout(() => signalProcess(pid, "SIGKILL"), Math.max(0, graceMs)),
        setTimeout(() => signalGroup(leader, "SIGKILL"), Math.max(0, graceMs) + 2000),
      ];
      try {
        return await exited;
      } finally {
        for (const timer of timers) clearTimeout(timer);
      }
    },
  };
}

async function record(options: StartOptions, pid: number, argv: string[]): Promise<void> {
  const startTicks = await processStartTicks(pid);
  if (startTicks !== undefined)
    await writeRecord(options.stateDir, { id: options.id, pid, startTicks, argv });
}

async function enteredRoot(pid: number, root: string, exit: Promise<unknown>): Promise<void> {
  let exited = false;
  void exit.then(() => {
    exited = true;
  });
  const deadline = Date.now() + 10_000;
  while (!exited && Date.now() < deadline) {
    const current = await readlink(`/proc/${pid}/root`).catch(() => undefined);
    if (current === undefined || current === root) return;
    await delay(2);
  }
}

async function readSetup(
  fd: Readable,
  exit: Promise<unknown>,
  timeoutMs: number,
): Promise<{ pid?: number; text: string }> {
  let text = "";
  const ready = new Promise<void>((resolve) => {
    fd.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const at = text.lastIndexOf(READY_MARKER);
      if (at >= 0 && text.indexOf("\n", at + READY_MARKER.length) >= 0) resolve();
    });
  });
  await Promise.race([ready, exit.then(() => delay(100)), delay(timeoutMs)]);
  fd.destroy();
  const at = text.lastIndexOf(READY_MARKER);
  const pid = at < 0 ? Number.NaN : Number(text.slice(at + READY_MARKER.length).trim());
  return Number.isInteger(pid) && pid > 0 ? { pid, text: text.slice(0, at) } : { text };
}

function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    signalProcess(pid, signal);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
