import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** What a member records about a container process, to find it again after a crash. */
export type ContainerRecord = {
  id: string;
  pid: number;
  /** Field 22 of `/proc/<pid>/stat` (clock ticks since boot): with `pid`, names one process for its whole life. */
  startTicks: number;
  argv: string[];
};

/** The start time of a live process in clock ticks since boot, or undefined when it is gone. */
export async function processStartTicks(pid: number): Promise<number | undefined> {
  const stat = await readProcStat(pid);
  return stat?.startTicks;
}

/** The fields of `/proc/<pid>/stat` the runtime uses. */
export async function readProcStat(pid: number): Promise<{ pgid: number; startTicks: number } | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  // Fields after the parenthesised command name, which may itself hold spaces: [0] is field 3.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { pgid: Number(fields[2]), startTicks: Number(fields[19]) };
}

/** The pids whose parent is `pid` (from `/proc`). */
export async function childPids(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir("/proc").catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const text = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    if (Number(text.slice(text.lastIndexOf(")") + 2).split(" ")[1]) === pid) out.push(Number(entry));
  }
  return out;
}

/** Container ids become file names: letters, digits, `.`, `_` and `-` only. */
export function checkContainerId(id: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) throw new Error(`invalid container id ${JSON.stringify(id)}`);
}

export async function writeRecord(stateDir: string, record: ContainerRecord): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  const path = join(stateDir, `${record.id}.json`);
  await writeFile(`${path}.tmp`, JSON.stringify(record));
  await rename(`${path}.tmp`, path);
}

export async function removeRecord(stateDir: string, id: string): Promise<void> {
  await rm(join(stateDir, `${id}.json`), { force: true });
}

export async function readRecords(stateDir: string): Promise<ContainerRecord[]> {
  const names = await readdir(stateDir).catch(() => [] as string[]);
  const records: ContainerRecord[] = [];
  for (const name of names.filter((n) => n.endsWith(".json"))) {
    const text = await readFile(join(stateDir, name), "utf8").catch(() => undefined);
    try {
      if (text !== undefined) records.push(JSON.parse(text) as ContainerRecord);
    } catch {
      await rm(join(stateDir, name), { force: true });
    }
  }
  return records;
}

/**
 * Kills what a previous run of this member left behind: for every recorded
 * container, its process group (leader and any children still in it) when
 * the leader is the recorded process (same pid and start time) or, if the
 * leader is gone, the group's members started after it. Waits (up to
 * `timeoutMs`, default 5 s) for them to die, then forgets the records.
 * Returns the pids it killed.
 */
export async function cleanupOrphans(
  stateDir: string,
  options: { timeoutMs?: number } = {},
): Promise<number[]> {
  const killed: number[] = [];
  for (const record of await readRecords(stateDir)) {
    const victims: number[] = [];
    const leader = await readProcStat(record.pid);
    if (leader !== undefined && leader.startTicks === record.startTicks) victims.push(record.pid);
    for (const entry of await readdir("/proc").catch(() => [] as string[])) {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || pid === record.pid || pid === process.pid) continue;
      const stat = await readProcStat(pid);
      if (stat !== undefined && stat.pgid === record.pid && stat.startTicks >= record.startTicks)
        victims.push(pid);
    }
    for (const pid of victims) {
      try {
        process.kill(pid, "SIGKILL");
        killed.push(pid);
      } catch {
        // Already gone.
      }
    }
    const deadline = Date.now() + (options.timeoutMs ?? 5000);
    while (Date.now() < deadline && (await Promise.all(victims.map(isAlive))).some(Boolean)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await removeRecord(stateDir, record.id);
  }
  return killed;
}

async function isAlive(pid: number): Promise<boolean> {
  const text = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  return text !== undefined && !/^\d+ \(.*\) Z /s.test(text);
}
