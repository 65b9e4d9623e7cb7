import { spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";

/** A process's CPU time and memory as Linux's /proc shows them; fields are undefined elsewhere. */
export type ProcessUsage = { cpuMs?: number; rssBytes?: number; peakRssBytes?: number };

/** Reads /proc/PID for a running process; the clock-tick rate is read once, here. */
export class ProcessUsageReader {
  #ticksPerSecond: number;

  constructor() {
    const ticks = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout);
    this.#ticksPerSecond = Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
  }

  async read(pid: number): Promise<ProcessUsage> {
    const [stat, status] = await Promise.all([
      readFile(`/proc/${pid}/stat`, "utf8").catch(() => ""),
      readFile(`/proc/${pid}/status`, "utf8").catch(() => ""),
    ]);
    // Fields after the parenthesised command name, which may itself hold spaces: utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return {
      cpuMs: stat && Number.isFinite(ticks) ? (ticks * 1000) / this.#ticksPerSecond : undefined,
      rssBytes: kibField(status, "VmRSS"),
      peakRssBytes: kibField(status, "VmHWM"),
    };
  }
}

function kibField(status: string, name: string): number | undefined {
  const kib = new RegExp(`^${name}:\\s+(\\d+) kB$`, "m").exec(status)?.[1];
  return kib === undefined ? undefined : Number(kib) * 1024;
}
