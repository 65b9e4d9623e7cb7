// `npm run bench:network [-- --phases proxy,withdrawal] [-- --bulk-mib 256] [-- --connections 2000]`:
// the userspace proxy's throughput and per-connection latency against a direct connection, and how
// long a global Service in a meshed member keeps sending connections to a peer's pod that went
// unready or whose API went down. Members are `atoll sim` processes; figures are from one run.
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ChildProcesses, openBenchSession, round } from "@atoll/bench-kit";
import { meshFleet, type NetworkFleet, startNetworkFleet } from "./fleet.ts";
import { measureProxyOverhead, type ProxyOverheadResult } from "./proxy-overhead.ts";
import { formatTable, type NetworkReport, writeReport } from "./report.ts";
import { measureWithdrawal, type WithdrawalResult } from "./withdrawal.ts";

const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const RESULTS = fileURLToPath(new URL("./results-latest.json", import.meta.url));
const PHASES = ["proxy", "withdrawal"];

async function main(argv: string[]): Promise<number> {
  const { phases, options } = parseOptions(argv);
  const children = new ChildProcesses();
  const session = await openBenchSession({
    name: "network",
    deadlineMs: 15 * 60_000,
    stopChildren: () => children.stopAll(2000),
  });
  const { log } = session;
  const began = performance.now();
  const startedAt = new Date().toISOString();
  let proxy: ProxyOverheadResult | undefined;
  let withdrawal: WithdrawalResult[] = [];
  const errors: string[] = [];
  let fleet: NetworkFleet | undefined;
  try {
    fleet = await startNetworkFleet(children, {
      members: phases.has("withdrawal") ? 3 : 1,
      firstId: options.firstId,
      port: options.port,
      repoRoot: REPO_ROOT,
      tempDir: join(session.tempDir, "members"),
      log,
    });
    if (phases.has("proxy")) {
      try {
        proxy = await measureProxyOverhead(fleet, { ...options, warmup: 100, log });
      } catch (error) {
        errors.push(`proxy: ${String(error)}`);
      }
    }
    if (phases.has("withdrawal")) {
      try {
        log("withdrawal: meshing the members (default detection settings)");
        await meshFleet(fleet, 60_000);
        withdrawal = await measureWithdrawal(fleet, { ...options, log });
      } catch (error) {
        errors.push(`withdrawal: ${String(error)}`);
      }
    }
  } catch (error) {
    errors.push(String(error));
  } finally {
    fleet?.close();
    await session.finish();
  }
  const report: NetworkReport = {
    startedAt,
    durationMs: Math.round(performance.now() - began),
    machine: {
      cores: cpus().length,
      loadAverage: round(loadavg()[0], 2),
      node: process.version,
      setprivPdeathsig: children.diesWithParent,
    },
    options: { ...options, phases: [...phases].join(",") },
    proxy,
    withdrawal,
    errors,
  };
  process.stdout.write(formatTable(report));
  await writeReport(RESULTS, report);
  log(`results written to ${RESULTS}`);
  return errors.length > 0 ? 1 : 0;
}

type Options = {
  bulkMiB: number;
  bulkRuns: number;
  connections: number;
  unreadyRuns: number;
  apiDownRuns: number;
  apiDownHoldMs: number;
  firstId: number;
  port: number;
};

function parseOptions(argv: string[]): { phases: Set<string>; options: Options } {
  const { values } = parseArgs({
    args: argv,
    options: {
      phases: { type: "string", default: PHASES.join(",") },
      "bulk-mib": { type: "string", default: "256" },
      "bulk-runs": { type: "string", default: "5" },
      connections: { type: "string", default: "2000" },
      "unready-runs": { type: "string", default: "10" },
      "api-down-runs": { type: "string", default: "2" },
      /** The API stays down this long past the withdrawal (at least one probe interval: see withdrawal.ts). */
      "api-down-hold-ms": { type: "string", default: "3000" },
      /** Members take ids from here (k8s-1 … k8s-3); tests use 77, 111–113, 131–132, 177–190. */
      "first-id": { type: "string", default: "196" },
      /** API port on each member's address (admin on the next); other benchmarks use 17443. */
      port: { type: "string", default: "17643" },
    },
  });
  const phases = new Set(values.phases.split(",").map((p) => p.trim()));
  for (const phase of phases)
    if (!PHASES.includes(phase)) throw new Error(`unknown phase "${phase}": expected ${PHASES.join(" or ")}`);
  const options: Options = {
    bulkMiB: positive(values["bulk-mib"], "--bulk-mib"),
    bulkRuns: positive(values["bulk-runs"], "--bulk-runs"),
    connections: positive(values.connections, "--connections"),
    unreadyRuns: positive(values["unready-runs"], "--unready-runs", 0),
    apiDownRuns: positive(values["api-down-runs"], "--api-down-runs", 0),
    apiDownHoldMs: positive(values["api-down-hold-ms"], "--api-down-hold-ms", 0),
    firstId: positive(values["first-id"], "--first-id"),
    port: positive(values.port, "--port"),
  };
  return { phases, options };
}

function positive(text: string, flag: string, min = 1): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new Error(`${flag}: an integer ≥ ${min}, got ${text}`);
  return value;
}

process.exitCode = await main(process.argv.slice(2));
