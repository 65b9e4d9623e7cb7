import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { ChildProcesses } from "@atoll/bench-kit";
import { round } from "@atoll/bench-kit";
import { addressPlan } from "../src/network/address-plan.ts";
import type { BenchConfig, Storage } from "./config.ts";
import { busyAddresses } from "./free-addresses.ts";
import { MemberClient } from "./member-client.ts";
import { measureRamp, type RampResult } from "./pod-ramp.ts";
import { measureRollout, type RolloutResult } from "./rollout-latency.ts";
import { SimProcess } from "./sim-process.ts";

/** The single-member phases against one storage backend. */
export type MemberRunResult = {
  storage: Storage;
  startMs?: number;
  rollout?: RolloutResult;
  ramp?: RampResult;
  /** Why the run stopped early, if it did. */
  error?: string;
  /** Lines the member process logged at level warn or above (the first few). */
  warnings: string[];
};

export type MemberRunContext = {
  children: ChildProcesses;
  config: BenchConfig;
  repoRoot: string;
  tempDir: string;
  log: (line: string) => void;
};

/** Starts one `atoll sim` member on `storage`, measures rollout latency, then the ramp, then stops it. */
export async function runMember(context: MemberRunContext, storage: Storage): Promise<MemberRunResult> {
  const { config, children } = context;
  const result: MemberRunResult = { storage, warnings: [] };
  const host = addressPlan(config.memberId).apiServer;
  const busy = await busyAddresses([host], [config.port, config.port + 1]);
  if (busy.length) return { ...result, error: `addresses already in use: ${busy.join(", ")}` };
  const dataDir = join(context.tempDir, `member-${storage}`);
  let sim: SimProcess | undefined;
  let client: MemberClient | undefined;
  try {
    sim = await SimProcess.start(children, {
      repoRoot: context.repoRoot,
      args: [
        ...["--name", "bench", "--id", String(config.memberId), "--port", String(config.port)],
        ...["--data-dir", dataDir, "--nodes", String(config.memberNodes), "--storage", storage],
      ],
      members: 1,
      readyDeadlineMs: config.memberReadyDeadlineMs,
    });
    result.startMs = round(sim.startMs);
    result.warnings = sim.warnings;
    const member = sim.members[0];
    client = await MemberClient.fromKubeconfig(member.kubeconfig, 8);
    context.log(`${storage}: member up in ${result.startMs} ms at ${member.url}`);
    result.rollout = await measureRollout({
      sim,
      client,
      kubeconfig: member.kubeconfig,
      tempDir: dataDir,
      config,
      log: (line) => context.log(`${storage}: ${line}`),
    });
    result.ramp = await measureRamp(sim, client, config, (line) => context.log(`${storage}: ${line}`));
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
    context.log(`${storage}: stopped early: ${result.error}`);
  } finally {
    await client?.close();
    if (sim) await children.stop(sim.child);
    await rm(dataDir, { recursive: true, force: true });
  }
  return result;
}
