import { availableParallelism, cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ChildProcesses, openBenchSession } from "@atoll/bench-kit";
import { type BenchConfig, defaultConfig, type Storage, TARGETS } from "./config.ts";
import { type MemberRunResult, runMember } from "./member-run.ts";
import { measureMembersPerProcess } from "./members-per-process.ts";
import { type BenchReport, formatTable, membersVerdict, writeReport } from "./report.ts";

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const RESULTS = fileURLToPath(new URL("./results-latest.json", import.meta.url));

async function main(argv: string[]): Promise<number> {
  const { config, phases } = parseOptions(argv);
  const children = new ChildProcesses();
  const session = await openBenchSession({
    name: "sim",
    deadlineMs: config.totalDeadlineMs,
    stopChildren: () => children.stopAll(2000),
  });
  const { tempDir, log } = session;
  const began = performance.now();

  const startedAt = new Date();
  const context = { children, config, repoRoot: REPO_ROOT, tempDir, log };
  const member: MemberRunResult[] = [];
  let membersPerProcess: BenchReport["membersPerProcess"];
  try {
    if (phases.has("member"))
      for (const storage of config.storages) member.push(await runMember(context, storage));
    if (phases.has("members")) {
      // Leaves the last count time to finish and the report time to be written before the watchdog fires.
      const deadline = began + config.totalDeadlineMs - config.minTimeForNextCountMs / 2;
      const result = await measureMembersPerProcess({ ...context, deadline });
      membersPerProcess = { ...result, verdict: membersVerdict(result, config.rssLimitBytes) };
    }
  } finally {
    await session.finish();
  }
  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - began),
    machine: {
      cores: availableParallelism(),
      node: process.version,
      platform: `${process.platform}/${process.arch}`,
      cpu: cpus()[0]?.model.trim() ?? "unknown",
      setprivPdeathsig: children.diesWithParent,
    },
    config,
    targets: TARGETS,
    member,
    membersPerProcess,
  };
  process.stdout.write(`${formatTable(report)}\n`);
  await writeReport(RESULTS, report);
  log(`results written to ${RESULTS}`);
  const failed =
    member.some((r) => r.error) || (membersPerProcess?.rows.length === 0 && phases.has("members"));
  return failed ? 1 : 0;
}

function parseOptions(argv: string[]): { config: BenchConfig; phases: Set<string> } {
  const { values } = parseArgs({
    args: argv,
    options: {
      phases: { type: "string", default: "member,members" },
      storages: { type: "string", default: "memory,sqlite" },
      counts: { type: "string" },
    },
  });
  const config = defaultConfig();
  const phases = new Set(values.phases.split(",").map((p) => p.trim()));
  for (const phase of phases) {
    if (phase !== "member" && phase !== "members")
      throw new Error(`unknown phase "${phase}": expected member or members`);
  }
  const storages = values.storages.split(",").map((s) => s.trim());
  for (const storage of storages) {
    if (storage !== "memory" && storage !== "sqlite")
      throw new Error(`unknown storage "${storage}": expected memory or sqlite`);
  }
  config.storages = storages as Storage[];
  if (values.counts) {
    const counts = values.counts.split(",").map(Number);
    if (counts.some((n) => !Number.isInteger(n) || n < 1 || n > 200 - config.firstMemberId + 1))
      throw new Error(`--counts: integers from 1 to ${200 - config.firstMemberId + 1}`);
    config.memberCounts = counts;
  }
  return { config, phases };
}

process.exitCode = await main(process.argv.slice(2));
