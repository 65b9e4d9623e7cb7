import { writeFile } from "node:fs/promises";
import { MiB, round } from "@atoll/bench-kit";
import { type BenchConfig, TARGETS } from "./config.ts";
import type { MemberRunResult } from "./member-run.ts";
import { IDLE_MS, type MembersResult, type MembersRow } from "./members-per-process.ts";
import { memberRows } from "./report-rows.ts";

export type Machine = {
  cores: number;
  node: string;
  platform: string;
  cpu: string;
  setprivPdeathsig: boolean;
};

/** What members per process came to: the largest count measured within the limit, and a linear estimate. */
export type MembersVerdict = {
  largestWithinLimit: number;
  /** Where a straight line through the last two counts' peak RSS reaches the limit. */
  estimatedAtLimit?: number;
  rssPerMemberMiB?: number;
  meetsTarget: boolean;
  /** At the largest count within the limit: idle heap growth of the whole process, and hours until RSS would reach the limit at that rate. */
  idleGrowthMiBPerHour?: number;
  hoursToLimit?: number;
};

export type BenchReport = {
  startedAt: string;
  durationMs: number;
  machine: Machine;
  config: BenchConfig;
  targets: typeof TARGETS;
  member: MemberRunResult[];
  membersPerProcess?: MembersResult & { verdict: MembersVerdict };
};

/** Reduces the members-per-process rows to the figures the target is about. */
export function membersVerdict(result: MembersResult, limitBytes: number): MembersVerdict {
  const within = result.rows.filter((r) => r.peakRssBytes <= limitBytes);
  const largest = Math.max(0, ...within.map((r) => r.members));
  const [a, b] = result.rows.slice(-2);
  let estimated: number | undefined;
  let slope: number | undefined;
  if (a && b && b.members > a.members) {
    slope = (b.peakRssBytes - a.peakRssBytes) / (b.members - a.members);
    if (slope > 0) estimated = Math.floor(b.members + (limitBytes - b.peakRssBytes) / slope);
  }
  const top = within.find((r) => r.members === largest);
  const growth = top ? (top.idleHeapGrowthPerMemberPerMin * top.members * 60) / MiB : undefined;
  return {
    idleGrowthMiBPerHour: growth === undefined ? undefined : round(growth),
    hoursToLimit:
      top && growth !== undefined && growth > 0
        ? round((limitBytes - top.full.rss) / MiB / growth, 1)
        : undefined,
    largestWithinLimit: largest,
    estimatedAtLimit: estimated,
    rssPerMemberMiB: slope === undefined ? undefined : round(slope / MiB, 1),
    meetsTarget: largest >= TARGETS.membersPerProcess,
  };
}

/** The human summary: the single-member table (one column per storage) and the members-per-process table. */
export function formatTable(report: BenchReport): string {
  const { machine, config } = report;
  const lines = [
    `Atoll sim benchmark: ${machine.cores} cores (${machine.cpu}), Node ${machine.node}, ` +
      `setpriv --pdeathsig: ${machine.setprivPdeathsig ? "yes" : "no"}, ${round(report.durationMs / 1000)} s`,
    ...(report.member.length
      ? [
          `one member (atoll sim, ${config.memberNodes} nodes) per storage: ${config.rolloutRuns} × kubectl apply of a ` +
            `${config.rolloutReplicas}-replica Deployment, then one Deployment scaled 0 → ${config.rampSteps.join(" → ")} and deleted`,
          "",
          ...singleMemberTable(report.member),
        ]
      : []),
  ];
  const members = report.membersPerProcess;
  if (members) lines.push("", ...membersTable(members, config));
  const notes = report.member.flatMap((r) => [
    ...(r.error ? [`${r.storage}: stopped early: ${r.error}`] : []),
    ...r.warnings.slice(0, 5).map((w) => `${r.storage}: member logged: ${w.slice(0, 300)}`),
  ]);
  if (notes.length) lines.push("", ...notes);
  return lines.join("\n");
}

export async function writeReport(path: string, report: BenchReport): Promise<void> {
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
}

function singleMemberTable(runs: MemberRunResult[]): string[] {
  const storages = runs.map((r) => r.storage);
  const both = storages.includes("memory") && storages.includes("sqlite");
  const columns = ["metric", ...storages, ...(both ? ["sqlite/memory"] : []), "target"];
  const rows = memberRows(runs).map((row) => {
    const values = runs.map(row.value);
    const memory = values[storages.indexOf("memory")];
    const sqlite = values[storages.indexOf("sqlite")];
    const ratio = both && memory && sqlite !== undefined ? round(sqlite / memory, 2) : undefined;
    return [row.label, ...values.map(cell), ...(both ? [cell(ratio)] : []), row.target ?? ""];
  });
  return align(columns, rows);
}

function membersTable(result: MembersResult & { verdict: MembersVerdict }, config: BenchConfig): string[] {
  const columns = [
    "members",
    "start s",
    "start ms/member",
    "pods Ready s",
    "RSS MiB",
    "peak RSS MiB",
    "RSS/member MiB",
    "heap/member MiB",
    "Δ peak/member MiB",
    "loop stall max ms",
    "idle cores",
    "idle heap KiB/member/min",
  ];
  let previous: MembersRow | undefined;
  const rows = result.rows.map((r) => {
    const delta = previous
      ? (r.peakRssBytes - previous.peakRssBytes) / (r.members - previous.members)
      : undefined;
    previous = r;
    return [
      String(r.members),
      cell(round(r.startMs / 1000, 1)),
      cell(round(r.startMs / r.members)),
      cell(round(r.podsReadyMs / 1000, 1)),
      cell(round(r.full.rss / MiB)),
      cell(round(r.peakRssBytes / MiB)),
      cell(round(r.full.rss / MiB / r.members, 1)),
      cell(round(r.full.heapUsed / MiB / r.members, 1)),
      cell(delta === undefined ? undefined : round(delta / MiB, 1)),
      cell(r.loopDelayMaxMs),
      cell(r.idleCores),
      idleGrowth(r),
    ];
  });
  const v = result.verdict;
  return [
    `members per process (atoll sim --count N --storage memory; ${config.nodesPerMember} nodes and ` +
      `${config.podsPerMember} Ready pods each; RSS and heap after a full GC):`,
    ...align(columns, rows),
    `largest N measured within ${TARGETS.rssLimitGiB} GiB peak RSS: ${v.largestWithinLimit}` +
      ` (target ≥ ${TARGETS.membersPerProcess}: ${v.meetsTarget ? "met" : "MISSED"})` +
      (v.estimatedAtLimit === undefined
        ? ""
        : `; a line through the last two counts (${v.rssPerMemberMiB} MiB/member) reaches ` +
          `${TARGETS.rssLimitGiB} GiB at N ≈ ${v.estimatedAtLimit}`),
    ...(v.idleGrowthMiBPerHour !== undefined && v.hoursToLimit !== undefined
      ? [
          `idle, ${v.largestWithinLimit} members grow the heap by ${v.idleGrowthMiBPerHour} MiB/h (heartbeats filling the ` +
            `watch and revision histories): ${TARGETS.rssLimitGiB} GiB after ~${v.hoursToLimit} h unless the histories' caps come first`,
        ]
      : []),
    ...result.failedAttempts.map(
      (f) =>
        `${f.members} members failed, retried with certificates checked beforehand: ${f.error.split("\n").join(" | ")}`,
    ),
    ...(result.stoppedBecause ? [`stopped: ${result.stoppedBecause}`] : []),
  ];
}

/** Below 256 KiB over the whole idle window, GC noise outweighs the heartbeats' share: shown as "—" (kept in the JSON). */
function idleGrowth(r: MembersRow): string {
  const windowBytes = (r.idleHeapGrowthPerMemberPerMin * r.members * IDLE_MS) / 60_000;
  return Math.abs(windowBytes) < MiB / 4 ? "—" : cell(round(r.idleHeapGrowthPerMemberPerMin / 1024));
}

function cell(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? "—" : String(value);
}

function align(columns: string[], rows: string[][]): string[] {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) =>
        i === 0 || (i === cells.length - 1 && !/\d/.test(columns[i]))
          ? c.padEnd(widths[i])
          : c.padStart(widths[i]),
      )
      .join("  ")
      .trimEnd();
  return [line(columns), ...rows.map(line)];
}
