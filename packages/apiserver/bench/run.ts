import { availableParallelism, cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ChildProcesses, openBenchSession } from "@atoll/bench-kit";
import { runBackend } from "./backend-run.ts";
import { defaultConfig, TARGETS } from "./config.ts";
import { type Backend, type BackendResult, type BenchReport, formatTable, writeReport } from "./report.ts";

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const RESULTS = fileURLToPath(new URL("./results-latest.json", import.meta.url));

async function main(argv: string[]): Promise<number> {
  const backends = parseBackends(argv);
  const cores = availableParallelism();
  const config = defaultConfig(cores);
  const children = new ChildProcesses();
  const session = await openBenchSession({
    name: "api",
    deadlineMs: config.totalDeadlineMs,
    stopChildren: () => children.stopAll(2000),
  });
  const { tempDir, log } = session;

  const startedAt = new Date();
  const results: BackendResult[] = [];
  try {
    for (const backend of backends) {
      results.push(await runBackend({ backend, children, config, repoRoot: REPO_ROOT, tempDir, log }));
    }
  } finally {
    await session.finish();
  }
  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    machine: {
      cores,
      node: process.version,
      platform: `${process.platform}/${process.arch}`,
      cpu: cpus()[0]?.model.trim() ?? "unknown",
      setprivPdeathsig: children.diesWithParent,
    },
    config,
    targets: TARGETS,
    backends: results,
  };
  process.stdout.write(`${formatTable(report)}\n`);
  await writeReport(RESULTS, report);
  log(`results written to ${RESULTS}`);
  return results.some((r) => r.error) ? 1 : 0;
}

function parseBackends(argv: string[]): Backend[] {
  const { values } = parseArgs({
    args: argv,
    options: { backends: { type: "string", default: "memory,sqlite" } },
  });
  const names = values.backends.split(",").map((name) => name.trim());
  for (const name of names) {
    if (name !== "memory" && name !== "sqlite" && name !== "etcd")
      throw new Error(`unknown backend "${name}": expected memory, sqlite or etcd`);
  }
  return names as Backend[];
}

process.exitCode = await main(process.argv.slice(2));
