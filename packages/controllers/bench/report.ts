import { writeFile } from "node:fs/promises";
import { type BenchConfig, TARGETS } from "./config.ts";
import type { FailureResult } from "./failure-detection.ts";
import type { IdleResult, ProcessCost } from "./idle-cost.ts";
import type { JoinResult } from "./join-latency.ts";

/** Everything one run measured, as written to results-latest.json. */
export type BenchReport = {
  startedAt: string;
  durationMs: number;
  machine: {
    cores: number;
    node: string;
    platform: string;
    cpu: string;
    /** 1-minute load average when the run began: other work on the machine skews every figure. */
    loadAverageAtStart: number;
    setprivPdeathsig: boolean;
  };
  config: BenchConfig;
  targets: typeof TARGETS;
  /** The first member id of each `atoll sim` process, and its member count. */
  sims: Array<{ firstId: number; count: number; startMs: number }>;
  join: JoinResult[];
  failure?: FailureResult;
  idle?: IdleResult;
  /** Warn-or-worse log lines of the controllers and the hub (the first few of each). */
  warnings: { controllers: number; hub: number; sample: string[] };
  verdict: {
    /** Every batch size's p99 within the target. */
    joinP99: boolean | null;
    /** Per batch size ("1", "10", "100"). */
    joinP99BySize: Record<string, boolean>;
    unreachableDetected: boolean | null;
    idleCpu: boolean | null;
  };
  errors: string[];
};

/** Whether each target was met; null when its phase did not produce a figure. */
export function verdict(report: Omit<BenchReport, "verdict">): BenchReport["verdict"] {
  const p99s = report.join.map((j) => j.latency.p99).filter((v) => Number.isFinite(v));
  const unknown = report.failure?.unknown.max;
  const idle = report.idle;
  return {
    joinP99: p99s.length ? p99s.every((v) => v <= TARGETS.joinReadyP99Ms) : null,
    joinP99BySize: Object.fromEntries(
      report.join
        .filter((j) => Number.isFinite(j.latency.p99))
        .map((j) => [String(j.members), j.latency.p99 <= TARGETS.joinReadyP99Ms]),
    ),
    unreachableDetected:
      unknown !== undefined && Number.isFinite(unknown) ? unknown <= TARGETS.unreachableDetectedMs : null,
    // The target is for 100 members; a smaller fleet must stay under it too.
    idleCpu: idle ? idle.controllers.cores <= TARGETS.idleCoresPer100Members : null,
  };
}

const ok = (pass: boolean | null) => (pass === null ? "n/a" : pass ? "met" : "MISSED");

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

const ms = (value: number | undefined) =>
  value === undefined || !Number.isFinite(value) ? "-" : String(Math.round(value));

/** The human-readable summary printed at the end of a run. */
export function formatTable(report: BenchReport): string {
  const m = report.machine;
  const out: string[] = [
    `member-cluster controller benchmark: ${m.cores} cores (${m.cpu}), Node ${m.node}, load average ${m.loadAverageAtStart} at start, ${Math.round(report.durationMs / 1000)} s`,
    "",
    `join → Ready (MemberCluster create sent → Joined and Ready seen on a hub watch); target p99 ≤ ${TARGETS.joinReadyP99Ms} ms: ${ok(report.verdict.joinP99)}`,
    table([
      [
        "members",
        "mode",
        "samples",
        "p50 ms",
        "p99 ms",
        "max ms",
        "all Ready ms",
        "finalizer p50/p99 ms",
        "CPU ms ctrl/hub/sims",
        "errors",
        "p99 target",
      ],
      ...report.join.map((j) => [
        String(j.members),
        j.mode === "sequential" ? `one at a time ×${j.rounds}` : "all at once",
        String(j.latency.count),
        ms(j.latency.p50),
        ms(j.latency.p99),
        ms(j.latency.max),
        ms(j.allReadyMs),
        `${ms(j.finalizer.p50)}/${ms(j.finalizer.p99)}`,
        j.cpuMs ? `${ms(j.cpuMs.controllers)}/${ms(j.cpuMs.hub)}/${ms(j.cpuMs.sims)}` : "-",
        String(j.errors.length),
        ok(report.verdict.joinP99BySize[String(j.members)] ?? null),
      ]),
    ]),
  ];
  const largest = report.join.filter((j) => j.cpuMs).at(-1);
  if (largest?.cpuMs) {
    const cpu = largest.cpuMs;
    const perMember = (cpu.controllers + cpu.hub + cpu.sims) / largest.members;
    out.push(
      `CPU per member joined (${largest.members} at once): ${perMember.toFixed(1)} ms across all processes ` +
        `(controllers ${(cpu.controllers / largest.members).toFixed(1)}, hub ${(cpu.hub / largest.members).toFixed(1)}, sims ${(cpu.sims / largest.members).toFixed(1)}): ` +
        `at most ~${Math.floor((m.cores * 1000) / perMember)} joins/s on ${m.cores} cores`,
    );
  }
  const f = report.failure;
  if (f) {
    out.push(
      "",
      `failure detection (${f.member}, ${f.rounds.length} outage(s), defaults: probe 2 s, Unknown after 10 s, NoExecute 30 s later); ` +
        `target Unknown ≤ ${TARGETS.unreachableDetectedMs / 1000} s (Karmada ${TARGETS.karmadaUnreachableMs / 1000} s): ${ok(report.verdict.unreachableDetected)}`,
      table([
        ["transition", "median ms", "max ms", "each round ms"],
        ["api-down → Ready=Unknown", ms(f.unknown.median), ms(f.unknown.max), each(f, (r) => r.unknownMs)],
        [
          "api-down → NoSchedule taint",
          ms(f.noSchedule.median),
          ms(f.noSchedule.max),
          each(f, (r) => r.noScheduleMs),
        ],
        [
          "api-down → NoExecute taint",
          ms(f.noExecute.median),
          ms(f.noExecute.max),
          each(f, (r) => r.noExecuteMs),
        ],
        ["api-up → Ready=True", ms(f.ready.median), ms(f.ready.max), each(f, (r) => r.readyMs)],
        ["api-up → taints gone", ms(f.untainted.median), ms(f.untainted.max), each(f, (r) => r.untaintedMs)],
      ]),
    );
  }
  const idle = report.idle;
  if (idle) {
    const row = (name: string, cost: ProcessCost) => [
      name,
      `${(cost.cores * 100).toFixed(2)}%`,
      String(cost.cpuMs),
      cost.rssMiB.toFixed(1),
    ];
    out.push(
      "",
      `idle cost (${idle.members} members joined, ${Math.round(idle.windowMs / 1000)} s window, load average ${idle.loadAverage}); ` +
        `target controllers < ${TARGETS.idleCoresPer100Members * 100}% of a core: ${ok(report.verdict.idleCpu)}`,
      table([
        ["process", "% of a core", "CPU ms", "RSS MiB"],
        row("controllers", idle.controllers),
        row("hub apiserver", idle.hub),
        row(`sims (${idle.simProcesses} processes)`, idle.sims),
      ]),
      `MemberCluster writes seen on the hub: ${idle.memberClusterWritesPerSecond}/s`,
    );
  }
  const problems = [...report.errors, ...report.join.flatMap((j) => j.errors), ...(f?.errors ?? [])];
  if (report.warnings.controllers + report.warnings.hub > 0)
    out.push("", `warnings logged: controllers ${report.warnings.controllers}, hub ${report.warnings.hub}`);
  if (problems.length) out.push("", "errors:", ...problems.slice(0, 10).map((p) => `  ${p}`));
  return out.join("\n");
}

function each(f: FailureResult, pick: (r: FailureResult["rounds"][number]) => number): string {
  return f.rounds.map((r) => ms(pick(r))).join(", ");
}

export async function writeReport(path: string, report: BenchReport): Promise<void> {
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
}
