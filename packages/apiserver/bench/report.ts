import { writeFile } from "node:fs/promises";
import type { BenchConfig, TARGETS } from "./config.ts";
import type { ListResult } from "./list-latency.ts";
import { tableRows } from "./report-rows.ts";
import type { ThroughputResult } from "./throughput.ts";
import type { WatchResult } from "./watch-summary.ts";

export type Backend = "memory" | "sqlite" | "etcd";

/** What the server process used during one phase. */
export type PhaseUsage = {
  name: string;
  wallMs: number;
  serverCpuMs?: number;
  /** CPU time over wall time: 1.0 is one core kept busy. */
  serverCores?: number;
  /** Resident memory at the phase's end. */
  serverRssMiB?: number;
};

export type BackendResult = {
  backend: Backend;
  phases: PhaseUsage[];
  serverPeakRssMiB?: number;
  /** The etcd process's peak RSS, for the etcd backend. */
  storagePeakRssMiB?: number;
  throughput?: ThroughputResult;
  lists?: ListResult;
  /** One per `config.watchRuns` entry that ran. */
  watch: WatchResult[];
  /** Why the backend's run stopped early, if it did. */
  error?: string;
  /** Lines the server logged at level error or above. */
  serverErrors: string[];
};

export type BenchReport = {
  startedAt: string;
  durationMs: number;
  machine: { cores: number; node: string; platform: string; cpu: string; setprivPdeathsig: boolean };
  config: BenchConfig;
  targets: typeof TARGETS;
  backends: BackendResult[];
};

/** The human summary: one column per backend, each figure marked against its target. */
export function formatTable(report: BenchReport): string {
  const { machine, config } = report;
  const header = [
    `Atoll apiserver benchmark: ${machine.cores} cores (${machine.cpu}), Node ${machine.node}, ${config.concurrency} requests in flight`,
    `throughput: median of ${config.rounds} rounds of ${config.requestsPerRound}; lists: ${config.listPods} pods,` +
      ` ${config.lists} full and ${config.pagedLists} paged; watch: ${config.watchers} watchers in ${config.watchClients}` +
      ` processes, ConfigMaps written at ${config.watchRuns.map((r) => `${r.writesPerSecond}/s`).join(", then ")}`,
    `server cores busy, per phase: ${report.backends[0]?.phases.map((p) => p.name).join(" / ") ?? ""}`,
    "",
  ];
  const columns = ["metric", ...report.backends.map((b) => b.backend), "target"];
  const rows = tableRows(config).map((row) => [row.label, ...report.backends.map(row.cell), row.target]);
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join("  ")
      .trimEnd();
  const notes = report.backends.flatMap((b) => [
    ...(b.error ? [`${b.backend}: stopped early: ${b.error}`] : []),
    ...b.watch.flatMap((w) => w.errors.map((e) => `${b.backend}: watch @${w.writesPerSecond}/s: ${e}`)),
    ...failures(b),
    ...b.serverErrors.map((e) => `${b.backend}: server logged: ${e.slice(0, 300)}`),
  ]);
  return [...header, line(columns), ...rows.map(line), ...(notes.length ? ["", ...notes] : [])].join("\n");
}

export async function writeReport(path: string, report: BenchReport): Promise<void> {
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
}

function failures(b: BackendResult): string[] {
  const phases = {
    creates: b.throughput?.creates.rounds,
    updates: b.throughput?.updates.rounds,
    gets: b.throughput?.gets.rounds,
    "pod seed": b.lists ? [b.lists.seed] : undefined,
  };
  return Object.entries(phases).flatMap(([phase, rounds]) => {
    const failed = (rounds ?? []).reduce((sum, r) => sum + r.failed, 0);
    const first = rounds?.find((r) => r.firstError)?.firstError;
    return failed ? [`${b.backend}: ${phase}: ${failed} requests failed, first: ${first}`] : [];
  });
}
