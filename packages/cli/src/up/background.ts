import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dataDirLayout } from "./data-dir.ts";
import type { FleetSettings } from "./fleet-settings.ts";
import { FLEET_NODE_ARGS, fleetEnvironment } from "./node-runtime.ts";
import { releasePidFile, runningFleetPid } from "./pid-file.ts";
import { processTree, waitGone } from "./process-tree.ts";
import { PlainProgress, type ProgressSink, TtyProgress } from "./progress.ts";
import { readyBlock } from "./ready-block.ts";
import type { FleetMessage } from "./run-fleet.ts";
import { UP_FAILURES, UpError, type UpFailure } from "./up-error.ts";

export const FLEET_ENTRY = new URL("./fleet-entry.ts", import.meta.url).pathname;

/** Beyond the members' own deadlines, how long `atoll up -d` waits before giving up on the background fleet. */
const LAUNCH_SLACK_MS = 45_000;

type Terminal = {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  cwd: string;
};

/**
 * `atoll up -d`: starts the fleet as a detached process (its own session,
 * output appended to DATA_DIR/up.log), shows its progress here and resolves
 * once it is Ready, printing the ready block. If it fails, the error (with
 * its exit code) is the fleet's own; Ctrl-C here stops the half-started fleet.
 */
export async function launchBackground(settings: FleetSettings, terminal: Terminal): Promise<void> {
  const layout = dataDirLayout(settings.dataDir);
  await mkdir(layout.root, { recursive: true });
  const log = openSync(layout.upLog, "a");
  const child = spawn(
    process.execPath,
    [
      ...FLEET_NODE_ARGS,
      FLEET_ENTRY,
      "--settings",
      JSON.stringify(settings),
      "--started-at",
      String(Math.round(performance.timeOrigin)),
    ],
    {
      detached: true,
      stdio: ["ignore", log, log, "ipc"],
      env: fleetEnvironment(terminal.env),
      cwd: terminal.cwd,
    },
  );
  closeSync(log);
  const colour = terminal.stdout.isTTY === true && !terminal.env.NO_COLOR;
  const progress: ProgressSink = terminal.stdout.isTTY
    ? new TtyProgress(terminal.stdout, { colour })
    : new PlainProgress(terminal.stdout);
  let interrupted = false;
  const stopFleet = () => {
    interrupted = true;
    try {
      if (child.pid !== undefined) process.kill(child.pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  };
  process.once("SIGINT", stopFleet);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        stopFleet();
        reject(new UpError("NotReady", `the background fleet was not ready in time; see ${layout.upLog}`));
      }, settings.readyTimeoutMs + LAUNCH_SLACK_MS);
      child.on("message", (message: FleetMessage) => {
        if (message.type === "progress") progress.report(message.event);
        else if (message.type === "ready") {
          clearTimeout(timer);
          progress.close();
          terminal.stdout.write(readyBlock(message.info, { cwd: terminal.cwd, colour }));
          resolve();
        } else if (message.type === "failed") {
          clearTimeout(timer);
          reject(new UpError(reasonOf(message.exitCode), `${message.message} (log: ${layout.upLog})`));
        }
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        if (interrupted) reject(new UpError("Failed", "interrupted: the background fleet was stopped"));
        else
          reject(
            new UpError(
              "Failed",
              `the background fleet exited (${signal ?? code}) before it was ready; see ${layout.upLog}`,
            ),
          );
      });
      child.once("error", reject);
    });
  } finally {
    progress.close();
    process.off("SIGINT", stopFleet);
    if (child.connected) child.disconnect();
    child.unref();
  }
}

/**
 * `atoll down`: stops the fleet running from a data dir (SIGTERM to the pid in
 * its pid file) and resolves once it and every process it started are gone —
 * SIGKILL for whatever is left after `timeoutMs`. Resolves false when no fleet runs there.
 */
export async function stopBackground(
  dataDir: string,
  timeoutMs: number,
): Promise<{ pids: number[] } | false> {
  const layout = dataDirLayout(dataDir);
  const pid = await runningFleetPid(layout.pidFile);
  if (pid === undefined) return false;
  const tree = await processTree(pid);
  process.kill(pid, "SIGTERM");
  if (!(await waitGone(tree, timeoutMs))) {
    for (const each of tree) {
      try {
        process.kill(each, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    if (!(await waitGone(tree, 5000))) {
      throw new UpError("Failed", `the fleet (pid ${pid}) is still running after SIGKILL`);
    }
  }
  await releasePidFile(layout.pidFile, pid);
  return { pids: tree };
}

function reasonOf(exitCode: number): UpFailure {
  const found = Object.entries(UP_FAILURES).find(([, code]) => code === exitCode);
  return found ? (found[0] as UpFailure) : "Failed";
}
