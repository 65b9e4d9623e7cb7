import { availableParallelism, cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { openBenchSession, round } from "@atoll/bench-kit";
import { ChildProcesses } from "./child-processes.ts";
import { type BenchConfig, defaultConfig, TARGETS } from "./config.ts";
import { type FailureResult, measureFailureDetection } from "./failure-detection.ts";
import { type SimProcess, startApiServer, startControllers, startSim } from "./fleet-processes.ts";
import { HubClient } from "./hub-client.ts";
import { type IdleResult, measureIdleCost } from "./idle-cost.ts";
import { type JoinResult, measureBatchJoin, measureSequentialJoins, unjoinAll } from "./join-latency.ts";
import { allocateMemberIds } from "./member-ids.ts";
import { MemberClusterWatch } from "./member-watch.ts";
import { type BenchReport, formatTable, verdict, writeReport } from "./report.ts";

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const RESULTS = fileURLToPath(new URL("./results-latest.json", import.meta.url));

async function main(argv: string[]): Promise<number> {
  const { config, phases } = parseOptions(argv);
  const children = new ChildProcesses(REPO_ROOT);
  const session = await openBenchSession({
    name: "members",
    deadlineMs: config.totalDeadlineMs,
    stopChildren: () => children.stopAll(2000),
  });
  const { tempDir, log } = session;
  const began = performance.now();

  const startedAt = new Date();
  const loadAverageAtStart = round(loadavg()[0], 2);
  const join_: JoinResult[] = [];
  const errors: string[] = [];
  const sims: BenchReport["sims"] = [];
  let failure: FailureResult | undefined;
  let idle: IdleResult | undefined;
  let hub: HubClient | undefined;
  let watch: MemberClusterWatch | undefined;
  const warnings = { controllers: 0, hub: 0, sample: [] as string[] };
  try {
    // One group of sim processes per join: the single member, then each batch (split into processes of at most membersPerSim).
    const groups = [1, ...config.batches].map((size) => split(size, config.membersPerSim));
    const counts = groups.flat();
    const starts = await allocateMemberIds({
      counts,
      first: config.firstId,
      last: config.lastId,
      port: config.memberPort,
      avoid: new Set(config.avoidIds),
    });
    log(
      `starting the hub, the controllers and ${counts.length} sim processes (ids ${describe(starts, counts)})`,
    );
    const simsStarting = Promise.all(
      counts.map((count, i) =>
        startSim(children, {
          firstId: starts[i],
          count,
          port: config.memberPort,
          dataDir: join(tempDir, `sim-${i}`),
          deadlineMs: config.startDeadlineMs,
        }),
      ),
    );
    simsStarting.catch(() => undefined);
    const apiserver = await startApiServer(children, config.startDeadlineMs);
    const controllers = await startControllers(children, {
      hubUrl: apiserver.url,
      tempDir,
      deadlineMs: config.startDeadlineMs,
    });
    const started = await simsStarting;
    for (const [i, sim] of started.entries())
      sims.push({ firstId: starts[i], count: counts[i], startMs: sim.startMs });
    let next = 0;
    const simGroups: SimProcess[][] = groups.map((group) => group.map(() => started[next++]));
    log(`hub at ${apiserver.url}; ${counts.reduce((a, b) => a + b, 0)} members up`);

    hub = new HubClient(apiserver.url, config.hubConnections);
    await hub.ensureSystemNamespace();
    watch = await MemberClusterWatch.open(apiserver.url);
    const context = { hub, watch, config, log, pids: { controllers: controllers.pid, hub: apiserver.pid } };

    log(`join→Ready: 1 member, ${config.singleRounds} times in a row`);
    join_.push(await measureSequentialJoins(context, simGroups[0][0].members[0], config.singleRounds));
    await children.stop(simGroups[0][0].child);
    for (const [b, size] of config.batches.entries()) {
      const group = simGroups[b + 1];
      const members = group.flatMap((sim) => sim.members);
      log(`join→Ready: ${size} members at once`);
      join_.push(
        await measureBatchJoin(
          context,
          members,
          group.map((sim) => sim.pid),
        ),
      );
      if (b === config.batches.length - 1) break;
      await unjoinAll(
        context,
        members.map((m) => m.name),
      ).catch((error: unknown) => errors.push(`unjoin of the ${size} batch: ${String(error)}`));
      for (const sim of group) await children.stop(sim.child);
    }

    const fleet = simGroups[simGroups.length - 1];
    const joined = fleet.flatMap((sim) => sim.members);
    if (phases.has("idle")) {
      await new Promise((resolve) => setTimeout(resolve, config.idleSettleMs));
      log(`idle cost: ${joined.length} members, ${config.idleWindowMs / 1000} s window`);
      idle = await measureIdleCost({
        members: joined.length,
        windowMs: config.idleWindowMs,
        controllersPid: controllers.pid,
        hubPid: apiserver.pid,
        simPids: fleet.map((sim) => sim.pid),
        watch,
      });
    }
    if (phases.has("failure")) {
      const victim = joined[Math.floor(joined.length / 2)];
      log(`failure detection: ${victim.name}, ${config.failureRepeats} outages (~45 s each)`);
      failure = await measureFailureDetection(context, victim, config.failureRepeats);
    }
    warnings.controllers = controllers.warningCount();
    warnings.hub = apiserver.warningCount();
    warnings.sample = [...controllers.warnings.slice(0, 5), ...apiserver.warnings.slice(0, 5)];
  } catch (error) {
    errors.push(error instanceof Error ? error.message : String(error));
  } finally {
    if (watch?.errors.length) errors.push(...watch.errors.map((e) => `hub watch: ${e}`));
    await watch?.close();
    await hub?.close();
    await session.finish();
  }
  const partial: Omit<BenchReport, "verdict"> = {
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - began),
    machine: {
      cores: availableParallelism(),
      node: process.version,
      platform: `${process.platform}/${process.arch}`,
      cpu: cpus()[0]?.model.trim() ?? "unknown",
      loadAverageAtStart,
      setprivPdeathsig: children.diesWithParent,
    },
    config,
    targets: TARGETS,
    sims,
    join: join_,
    failure,
    idle,
    warnings,
    errors,
  };
  const report: BenchReport = { ...partial, verdict: verdict(partial) };
  process.stdout.write(`${formatTable(report)}\n`);
  await writeReport(RESULTS, report);
  log(`results written to ${RESULTS}`);
  const failed = errors.length > 0 || join_.some((j) => j.errors.length) || (failure?.errors.length ?? 0) > 0;
  return failed ? 1 : 0;
}

/** `total` as parts of at most `most`, as even as possible (100 by 50 → 50, 50). */
function split(total: number, most: number): number[] {
  const parts = Math.ceil(total / most);
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

function describe(starts: number[], counts: number[]): string {
  return starts.map((s, i) => (counts[i] === 1 ? String(s) : `${s}–${s + counts[i] - 1}`)).join(", ");
}

function parseOptions(argv: string[]): { config: BenchConfig; phases: Set<string> } {
  const { values } = parseArgs({
    args: argv,
    options: {
      phases: { type: "string", default: "failure,idle" },
      batches: { type: "string" },
      "failure-repeats": { type: "string" },
      "idle-seconds": { type: "string" },
    },
  });
  const config = defaultConfig();
  const phases = new Set(
    values.phases
      .split(",")
      .map((p) => p.trim())
      .filter((p) => p !== ""),
  );
  for (const phase of phases) {
    if (phase !== "failure" && phase !== "idle")
      throw new Error(`unknown phase "${phase}": expected failure or idle (join→Ready always runs)`);
  }
  const positive = (text: string, what: string) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${what}: a positive integer, got "${text}"`);
    return n;
  };
  if (values.batches) config.batches = values.batches.split(",").map((b) => positive(b, "--batches"));
  if (values["failure-repeats"])
    config.failureRepeats = positive(values["failure-repeats"], "--failure-repeats");
  if (values["idle-seconds"]) config.idleWindowMs = positive(values["idle-seconds"], "--idle-seconds") * 1000;
  return { config, phases };
}

process.exitCode = await main(process.argv.slice(2));
