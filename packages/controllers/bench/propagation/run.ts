// `npm run bench:propagation [-- --members 10,100] [-- --deployments 1000] [-- --phases distribution,failover]
// [-- --hub embedded,split]`: distribution latency and throughput of propagation (hub create → object in
// every member) and failover time, against a hub API server (with the hub controllers in it, as `atoll up`
// runs them, or `atoll controllers` as a process of its own) and `atoll sim` processes.
import { writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { openBenchSession, round } from "@atoll/bench-kit";
import { ChildProcesses } from "../child-processes.ts";
import { type DistributionResult, measureDistribution } from "./distribution.ts";
import { type FailoverResult, measureFailover } from "./failover.ts";
import { type HubLayout, type MemberKind, startBenchFleet } from "./fleet.ts";

const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const RESULTS = fileURLToPath(new URL("./results-latest.json", import.meta.url));

/** What the issue asks for on this 2-core machine, beside what was measured. */
const TARGETS = { p99AtHundredMembersMs: 300, memberWritesPerSecond: 2000, failoverMs: 45_000 };

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      members: { type: "string", default: "10,100" },
      /** Burst sizes, one per fleet size (the last repeats). */
      deployments: { type: "string", default: "1000,200" },
      /** Paced phase: this many Deployments at --rate per second, before the burst. */
      paced: { type: "string", default: "30" },
      /** Well under what the fleet takes in a burst: latency, not queueing, is what the paced phase measures. */
      rate: { type: "string", default: "1" },
      concurrency: { type: "string", default: "32" },
      /** "direct": after each burst, the same Deployments applied by the bench itself, without Atoll (the machine's ceiling). */
      phases: { type: "string", default: "distribution,direct,failover" },
      "failover-members": { type: "string", default: "3" },
      /** Hub layouts to measure distribution with (failover uses the first). */
      hub: { type: "string", default: "embedded" },
      /**
       * Members to measure distribution against: "api-only" members store and
       * serve objects and nothing more (what a hub pays for its members when
       * they run on hardware of their own); "full" ones are whole simulated
       * clusters sharing the two cores with the hub.
       */
      "member-kind": { type: "string", default: "api-only,full" },
    },
  });
  const layouts = String(values.hub).split(",") as HubLayout[];
  for (const layout of layouts) {
    if (layout !== "embedded" && layout !== "split") throw new Error(`--hub: unknown layout "${layout}"`);
  }
  const kinds = String(values["member-kind"]).split(",") as MemberKind[];
  for (const kind of kinds) {
    if (kind !== "api-only" && kind !== "full") throw new Error(`--member-kind: unknown kind "${kind}"`);
  }
  const phases = new Set(String(values.phases).split(","));
  const children = new ChildProcesses(REPO_ROOT);
  const session = await openBenchSession({
    name: "propagation",
    deadlineMs: 30 * 60_000,
    stopChildren: () => children.stopAll(2000),
  });
  const { tempDir, log } = session;
  const distribution: DistributionResult[] = [];
  let failover: FailoverResult | undefined;
  const errors: string[] = [];
  try {
    if (phases.has("distribution")) {
      const bursts = String(values.deployments).split(",").map(Number);
      for (const layout of layouts) {
        for (const kind of kinds) {
          for (const [i, size] of String(values.members).split(",").map(Number).entries()) {
            const burst = bursts[Math.min(i, bursts.length - 1)];
            log(
              `distribution (${layout} hub, ${kind} members): ${values.paced} paced, then ${burst} at once, Deployments to ${size} members`,
            );
            const fleet = await startBenchFleet(children, {
              members: size,
              perSim: 25,
              tempDir: join(tempDir, `d${size}-${layout}-${kind}`),
              hub: layout,
              memberKind: kind,
              log,
            });
            const measure = async (options: Omit<Parameters<typeof measureDistribution>[1], "log">) => {
              const result = await measureDistribution(fleet, { ...options, log });
              distribution.push(result);
              log(JSON.stringify(result));
            };
            const paced = { deployments: Number(values.paced), concurrency: 1, rate: Number(values.rate) };
            const bursting = { deployments: burst, concurrency: Number(values.concurrency) };
            try {
              await measure({
                deployments: 1,
                concurrency: 1,
                first: true,
                prefix: "first-",
                deadlineMs: 60_000,
              });
              await measure({ ...paced, prefix: "paced-", deadlineMs: 5 * 60_000 });
              await measure({ ...bursting, prefix: "burst-", deadlineMs: 15 * 60_000 });
              if (phases.has("direct")) {
                await measure({ ...paced, direct: true, prefix: "direct-paced-", deadlineMs: 5 * 60_000 });
                await measure({ ...bursting, direct: true, prefix: "direct-", deadlineMs: 15 * 60_000 });
              }
            } catch (error) {
              errors.push(`distribution at ${size} ${kind} members (${layout} hub): ${String(error)}`);
            } finally {
              await fleet.close();
              await children.stopAll(2000);
            }
          }
        }
      }
    }
    if (phases.has("failover")) {
      const size = Number(values["failover-members"]);
      log(`failover: ${size} members, one per process, default health settings`);
      const fleet = await startBenchFleet(children, {
        members: size,
        perSim: 1,
        tempDir: join(tempDir, "f"),
        hub: layouts[0],
        log,
      });
      try {
        failover = await measureFailover(fleet, { replicas: 6, deadlineMs: 120_000, log });
        log(JSON.stringify(failover));
      } catch (error) {
        errors.push(`failover: ${String(error)}`);
      } finally {
        await fleet.close();
        await children.stopAll(2000);
      }
    }
  } finally {
    await session.finish();
  }
  const report = {
    startedAt: new Date().toISOString(),
    machine: { cores: cpus().length, loadAverage: round(loadavg()[0], 2) },
    targets: TARGETS,
    distribution,
    failover,
    errors,
  };
  await writeFile(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(formatReport(report));
  return errors.length > 0 ? 1 : 0;
}

function formatReport(report: {
  distribution: DistributionResult[];
  failover?: FailoverResult;
  errors: string[];
}): string {
  const lines = ["", "propagation benchmark (one run; figures are noisy on a shared 2-core machine)", ""];
  for (const d of report.distribution) {
    const target =
      d.members >= 100 && d.mode !== "direct" && d.mode !== "first"
        ? ` (target p99 ≤ ${TARGETS.p99AtHundredMembersMs} ms)`
        : "";
    const where = d.mode === "direct" ? "" : ` (${d.hub} hub)`;
    const hubCreates = d.mode === "direct" ? "" : `; hub creates ${d.hubCreatesPerSecond}/s`;
    const how =
      d.mode === "first"
        ? "the fleet's first (member informers start)"
        : d.mode === "paced"
          ? `paced at ${d.rate}/s`
          : d.mode === "direct"
            ? `${d.rate ? `paced at ${d.rate}/s, ` : ""}applied by the bench to each member, no Atoll (this machine's ceiling)`
            : "burst";
    const cpu = d.cpuMsPerMemberObject;
    lines.push(
      `${d.deployments} Deployments → ${d.members} ${d.memberKind} members${where}, ${how}: latency p50 ${d.latencyMs.p50} ms, p99 ${d.latencyMs.p99} ms, max ${d.latencyMs.max} ms${target}`,
      `  ${d.memberWritesPerSecond} member objects/s${d.mode === "burst" ? ` (target ≥ ${TARGETS.memberWritesPerSecond})` : ""}${hubCreates}; all in ${d.totalMs} ms; missing ${d.missing}`,
      d.hub === "embedded"
        ? `  CPU per member object: hub with its controllers ${cpu.hub} ms, simulated members ${cpu.sims} ms`
        : `  CPU per member object: hub ${cpu.hub} ms, controllers ${cpu.controllers} ms, simulated members ${cpu.sims} ms`,
    );
  }
  const groups = new Set(
    report.distribution.map((d) => `${d.members} ${d.memberKind} members (${d.hub} hub)`),
  );
  for (const group of groups) {
    const at = report.distribution.filter(
      (d) => `${d.members} ${d.memberKind} members (${d.hub} hub)` === group,
    );
    const burst = at.find((d) => d.mode === "burst");
    const ceiling = at.find((d) => d.mode === "direct" && !d.rate);
    const paced = at.find((d) => d.mode === "paced");
    const pacedCeiling = at.find((d) => d.mode === "direct" && d.rate);
    if (burst && ceiling)
      lines.push(
        `${group}: Atoll's burst is ${Math.round((100 * burst.memberWritesPerSecond) / ceiling.memberWritesPerSecond)}% of the ceiling's rate` +
          (paced && pacedCeiling
            ? `; paced p50/p99 ${round(paced.latencyMs.p50 / pacedCeiling.latencyMs.p50, 2)}×/${round(paced.latencyMs.p99 / pacedCeiling.latencyMs.p99, 2)}× the ceiling's`
            : ""),
      );
  }
  if (report.failover) {
    const f = report.failover;
    lines.push(
      `failover: member killed → ${f.replicas} replicas ready elsewhere in ${f.failoverMs} ms (target ≤ ${TARGETS.failoverMs} ms); fewest ready meanwhile ${f.minReadyDuring} (${f.samples} samples)`,
    );
  }
  for (const e of report.errors) lines.push(`error: ${e}`);
  return `${lines.join("\n")}\n`;
}

process.exitCode = await main(process.argv.slice(2));
