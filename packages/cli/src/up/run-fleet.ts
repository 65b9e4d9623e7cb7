import { flushCompileCache } from "node:module";
import { systemClock } from "@atoll/kube";
import { dataDirLayout, memberNames } from "./data-dir.ts";
import { Fleet } from "./fleet.ts";
import type { FleetSettings } from "./fleet-settings.ts";
import { NodeChildren } from "./node-runtime.ts";
import { claimPidFile, releasePidFile } from "./pid-file.ts";
import { FanOutProgress, PlainProgress, type ProgressSink, type StepEvent, TtyProgress } from "./progress.ts";
import { type ReadyInfo, readyBlock } from "./ready-block.ts";
import { exitCodeOf, UpError } from "./up-error.ts";

/** What a background fleet tells the `atoll up -d` that launched it. */
export type FleetMessage =
  | { type: "progress"; event: StepEvent }
  | { type: "ready"; info: ReadyInfo }
  | { type: "failed"; message: string; exitCode: number };

export type FleetIo = {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** When the user's `atoll up` started (epoch ms): elapsed times count from here. */
  startedAt: number;
  /** Present in a background fleet: its launcher, until told the outcome. `send` resolves once the message is out. */
  launcher?: { send(message: FleetMessage): Promise<void>; disconnect(): void };
};

/**
 * Runs a fleet in this process until SIGINT/SIGTERM/SIGHUP: claims the data
 * dir (pid file), starts the fleet with progress, prints the ready block,
 * then stops everything on the first signal (a second one kills the members
 * at once). Resolves to the exit code: 0 after a requested stop.
 */
export async function runFleet(settings: FleetSettings, io: FleetIo): Promise<number> {
  const clock = systemClock;
  const startedAt = io.startedAt;
  const layout = dataDirLayout(settings.dataDir);
  const colour = io.stdout.isTTY === true && !io.env.NO_COLOR && !io.launcher;
  const progress = progressSink(io, colour);
  const starting = new AbortController();
  let fleet: Fleet | undefined;
  let requestStop: (signal: string) => void = () => {};
  const stopRequested = new Promise<string>((resolve) => {
    requestStop = resolve;
  });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      starting.abort(new UpError("Failed", `stopped by ${signal} before the fleet was ready`));
      requestStop(signal);
      return;
    }
    // A second signal: don't wait for graceful stops.
    for (const pid of fleet?.memberPids ?? []) kill(pid);
    void releasePidFile(layout.pidFile, process.pid).finally(() => process.exit(130));
  };
  const signalNames: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const name of signalNames) process.on(name, onSignal);
  try {
    await claimPidFile(layout.pidFile, process.pid);
  } catch (error) {
    return await fail(error);
  }
  try {
    fleet = await Fleet.start(settings, {
      progress,
      children: new NodeChildren(),
      env: io.env,
      clock,
      startedAt,
      signal: starting.signal,
    });
  } catch (error) {
    progress.close();
    await releasePidFile(layout.pidFile, process.pid);
    if (starting.signal.aborted) {
      io.stdout.write("fleet stopped before it was ready\n");
      return done(0);
    }
    return await fail(error);
  }
  progress.close();
  // Node writes its compile cache at exit; a fleet stopped by SIGKILL would otherwise start cold next time.
  flushCompileCache();
  const info: ReadyInfo = {
    kubeconfig: layout.kubeconfig,
    hubUrl: fleet.hubUrl,
    members: memberNames(settings.members),
    dataDir: layout.root,
    elapsedMs: clock.now().getTime() - startedAt,
    background: io.launcher !== undefined,
  };
  io.stdout.write(readyBlock(info, { cwd: io.cwd, colour }));
  await io.launcher?.send({ type: "ready", info });
  io.launcher?.disconnect();
  const signal = await stopRequested;
  io.stdout.write(`\n${signal}: stopping the fleet (again to force)…\n`);
  await fleet.stop();
  await releasePidFile(layout.pidFile, process.pid);
  io.stdout.write("fleet stopped\n");
  return done(0);

  function done(code: number): number {
    for (const name of signalNames) process.off(name, onSignal);
    return code;
  }

  async function fail(error: unknown): Promise<number> {
    const message = error instanceof Error ? error.message : String(error);
    const exitCode = exitCodeOf(error);
    io.stderr.write(`error: ${message}\n`);
    await io.launcher?.send({ type: "failed", message, exitCode });
    return done(exitCode);
  }
}

function progressSink(io: FleetIo, colour: boolean): ProgressSink {
  const launcher = io.launcher;
  if (launcher) {
    return new FanOutProgress([
      new PlainProgress(io.stdout),
      { report: (event) => void launcher.send({ type: "progress", event }), close: () => {} },
    ]);
  }
  return io.stdout.isTTY ? new TtyProgress(io.stdout, { colour }) : new PlainProgress(io.stdout);
}

function kill(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}
