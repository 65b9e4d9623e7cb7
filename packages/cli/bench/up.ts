// `npm run bench:up [-- --runs 5 --first-id 194 --members 3]`: time from `atoll up`
// to its ready block, and resident memory of the whole fleet, against the
// targets (≤ 5 s, ≤ 400 MiB for hub + 3 members + controllers). See docs/up.md.
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { MiB, median, percentile, round } from "@atoll/bench-kit";
import { type FleetRun, measureFleet } from "./fleet-run.ts";

const TARGETS = { readyMs: 5000, rssBytes: 400 * MiB } as const;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: "string", default: "5" },
      "first-id": { type: "string", default: "194" },
      members: { type: "string", default: "3" },
      "settle-ms": { type: "string", default: "3000" },
    },
  });
  const runs = Number(values.runs);
  const base = {
    firstId: Number(values["first-id"]),
    members: Number(values.members),
    settleMs: Number(values["settle-ms"]),
    readyDeadlineMs: 60_000,
  };
  const tempDir = await mkdtemp(join(tmpdir(), "atoll-up-bench-"));
  const log = (line: string) => process.stderr.write(`[bench:up] ${line}\n`);
  const results: FleetRun[] = [];
  const measure = async (label: string, dataDir: string, env: NodeJS.ProcessEnv) => {
    const result = await measureFleet({ ...base, label, dataDir, env });
    log(`${label}: ready ${(result.readyMs / 1000).toFixed(2)} s, RSS ${mib(result.rssBytes)} MiB`);
    return result;
  };
  try {
    // node's compile cache (where `atoll up` keeps it) may be cold after a code change: one unrecorded run warms it.
    await measure("warm-up", join(tempDir, "warm-up"), process.env);
    for (let i = 1; i <= runs; i++)
      results.push(await measure(`fresh ${i}`, join(tempDir, `fresh-${i}`), process.env));
    results.push(await measure("restart", join(tempDir, `fresh-${runs}`), process.env));
    // As on the first `atoll up` after installing or changing the code: nothing in the compile cache.
    const coldTmp = join(tempDir, "cold-tmp");
    results.push(await measure("cold cache", join(tempDir, "cold"), { ...process.env, TMPDIR: coldTmp }));
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
  const warm = results.filter((r) => r.label !== "cold cache");
  const ready = warm.map((r) => r.readyMs);
  const rss = warm.map((r) => r.rssBytes);
  const summary = {
    machine: { cores: availableParallelism(), loadAverage1m: round(loadavg()[0], 2), node: process.version },
    members: base.members,
    readyMs: {
      median: round(median(ready)),
      p90: round(percentile(ready, 90)),
      max: round(Math.max(...ready)),
    },
    rssMiB: { median: mib(median(rss)), max: mib(Math.max(...rss)) },
    pssMiB: { median: mib(median(warm.map((r) => r.pssBytes))) },
    targets: { readyMs: TARGETS.readyMs, rssMiB: mib(TARGETS.rssBytes) },
    verdict: {
      ready: Math.max(...ready) <= TARGETS.readyMs ? "met" : "missed",
      rss: Math.max(...rss) <= TARGETS.rssBytes ? "met" : "missed",
    },
    runs: results.map((r) => ({
      label: r.label,
      readyMs: round(r.readyMs),
      rssMiB: mib(r.rssBytes),
      pssMiB: mib(r.pssBytes),
      perProcessRssMiB: r.perProcessRssBytes.map(mib),
      stopMs: round(r.stopMs),
    })),
  };
  process.stdout.write(`${table(summary.runs)}\n`);
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  return 0;
}

function table(
  runs: Array<{
    label: string;
    readyMs: number;
    rssMiB: number;
    pssMiB: number;
    perProcessRssMiB: number[];
    stopMs: number;
  }>,
): string {
  const rows = [["run", "ready s", "RSS MiB", "PSS MiB", "RSS per process (up, members…)", "stop s"]];
  for (const r of runs) {
    rows.push([
      r.label,
      (r.readyMs / 1000).toFixed(2),
      String(r.rssMiB),
      String(r.pssMiB),
      r.perProcessRssMiB.join(" "),
      (r.stopMs / 1000).toFixed(2),
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join("  ")).join("\n");
}

function mib(bytes: number): number {
  return round(bytes / MiB, 1);
}

process.exitCode = await main(process.argv.slice(2));
