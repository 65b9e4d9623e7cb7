import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { commandLine, isAlive } from "./process-tree.ts";
import { UpError } from "./up-error.ts";

/**
 * The pid of the `atoll up` running a data dir's fleet, or undefined when
 * none runs (no file, or a stale one: its process is gone or is not atoll).
 */
export async function runningFleetPid(pidFile: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(pidFile, "utf8");
  } catch {
    return undefined;
  }
  const pid = Number(text.trim());
  if (!isAlive(pid)) return undefined;
  // A recycled pid belongs to something else; /proc is Linux-only, so elsewhere trust the file.
  const command = await commandLine(pid);
  if (command !== "" && !command.includes("atoll") && !command.includes("fleet-entry")) return undefined;
  return pid;
}

/**
 * Claims the data dir for this process: writes its pid, refusing with
 * DataDirInUse when another live `atoll up` holds it. A stale file is replaced.
 */
export async function claimPidFile(pidFile: string, pid: number): Promise<void> {
  await mkdir(dirname(pidFile), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(pidFile, `${pid}\n`, { flag: "wx" });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = await runningFleetPid(pidFile);
    if (holder !== undefined && holder !== pid) throw dataDirInUse(dirname(pidFile), holder);
    await rm(pidFile, { force: true });
  }
  throw new UpError("Failed", `could not write ${pidFile}: another atoll up is starting there`);
}

/** Removes the pid file if it still names `pid`. */
export async function releasePidFile(pidFile: string, pid: number): Promise<void> {
  const text = await readFile(pidFile, "utf8").catch(() => "");
  if (Number(text.trim()) === pid) await rm(pidFile, { force: true });
}

export function dataDirInUse(dataDir: string, pid: number): UpError {
  return new UpError(
    "DataDirInUse",
    `a fleet is already running from ${dataDir} (pid ${pid}): use it (KUBECONFIG=${dataDir}/kubeconfig), ` +
      `stop it with \`atoll down --data-dir ${dataDir}\` or Ctrl-C in its terminal, or pass another --data-dir`,
  );
}
