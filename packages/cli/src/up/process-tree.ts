import { readdir, readFile } from "node:fs/promises";

/** Whether a process with this pid exists (signal 0; EPERM still means it exists). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The direct children of a process, from Linux's /proc/PID/task/TID/children; [] elsewhere. */
export async function childPids(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const pids = new Set<number>();
  for (const task of tasks) {
    const text = await readFile(`/proc/${pid}/task/${task}/children`, "utf8").catch(() => "");
    for (const word of text.split(/\s+/)) if (word !== "") pids.add(Number(word));
  }
  return [...pids];
}

/** A process and all its descendants, parents first. */
export async function processTree(pid: number): Promise<number[]> {
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(await childPids(tree[i])));
  return tree;
}

/** The process's command line (arguments joined by spaces); "" when unknown or gone. */
export async function commandLine(pid: number): Promise<string> {
  const raw = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  return raw.split("\0").join(" ").trim();
}

/**
 * Resolves true once none of `pids` is alive, false if some still are after
 * `timeoutMs`; checks every `pollMs`.
 */
export async function waitGone(pids: readonly number[], timeoutMs: number, pollMs = 50): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (!pids.some(isAlive)) return true;
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
