// `npm run bench:instances [-- --runs 5 --first-id 184]`: the KubeBlocks guide's etcd on a fleet started
// by `atoll up -d` (hub, controllers and three members as separate processes, default settings):
// kubectl create → Running with a leader; the leader's process killed → a new leader at the hub;
// a member stopped → the instance Abnormal at the hub. Medians and spreads from one run.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { type Cluster, KB_CLUSTERS, type ReplicaStatus } from "@atoll/api";
import { median, percentile, round } from "@atoll/bench-kit";
import { HttpKubeClient } from "@atoll/kube/http-client";

const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const CLI = join(REPO_ROOT, "packages/cli/bin/atoll.ts");
const SEED = join(REPO_ROOT, "../shared/seed-manifests/etcd-self-hosted.yaml");
const RESULTS = fileURLToPath(new URL("./results-latest.json", import.meta.url));
const TARGETS = { applyToRunningMs: 10_000, leaderKillToNewLeaderMs: 5_000, memberDeathToAbnormalMs: 12_000 };
const run = promisify(execFile);
const log = (line: string) => process.stderr.write(`[bench:instances] ${line}\n`);

async function atoll(args: string[], timeoutMs = 120_000): Promise<string> {
  const { stdout } = await run(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, timeout: timeoutMs });
  return stdout;
}

/** Polls until `check` returns a value; the elapsed time from `since` when it did. */
async function until<T>(
  what: string,
  since: number,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<{ value: T; ms: number }> {
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return { value, ms: performance.now() - since };
    if (performance.now() - since > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const summary = (samples: number[]) => ({
  runs: samples.length,
  medianMs: round(median(samples)),
  p90Ms: round(percentile(samples, 90)),
  maxMs: round(Math.max(...samples)),
  samplesMs: samples.map(round),
});

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { runs: { type: "string", default: "5" }, "first-id": { type: "string", default: "184" } },
  });
  const runs = Number(values.runs);
  const dataDir = await mkdtemp(join(tmpdir(), "atoll-instances-bench-"));
  let hub: HttpKubeClient | undefined;
  const applySamples: number[] = [];
  const electionSamples: number[] = [];
  const abnormalSamples: number[] = [];
  try {
    log(`starting a fleet in ${dataDir}`);
    await atoll(["up", "-d", "--data-dir", dataDir, "--port", "0", "--first-id", String(values["first-id"])]);
    const kubeconfig = join(dataDir, "kubeconfig");
    hub = HttpKubeClient.fromKubeconfigText(await readFile(kubeconfig, "utf8"), { context: "hub" });
    const client = hub;
    const cluster = async (name: string) =>
      (await client.get(KB_CLUSTERS, "default", name)) as Cluster | undefined;
    const replicas = async (name: string): Promise<ReplicaStatus[]> =>
      (await cluster(name))?.status?.components?.etcd?.replicas ?? [];
    const runningWithLeader = async (name: string) => {
      const c = await cluster(name);
      const list = c?.status?.components?.etcd?.replicas ?? [];
      return c?.status?.phase === "Running" && list.filter((r) => r.role === "leader").length === 1
        ? list
        : undefined;
    };
    const kubectl = (args: string[]) =>
      run("kubectl", ["--kubeconfig", kubeconfig, "--context", "hub", ...args], { timeout: 30_000 });
    const seed = join(dataDir, "etcd.yaml");
    await writeFile(seed, await readFile(SEED, "utf8"));

    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const name = (await kubectl(["create", "-f", seed, "-o", "name"])).stdout.trim().split("/").pop() ?? "";
      const { ms } = await until(`${name} Running`, started, () => runningWithLeader(name), 60_000);
      applySamples.push(ms);
      log(`apply → Running with a leader: ${round(ms)} ms (${name})`);

      const leader = (await replicas(name)).find((r) => r.role === "leader");
      if (!leader?.member) throw new Error(`${name} has no leader`);
      const killed = performance.now();
      await atoll(["fault", "kill", leader.member, `default/${leader.podName}`, "--data-dir", dataDir]);
      const elected = await until(
        "a new leader at the hub",
        killed,
        async () =>
          (await replicas(name)).find((r) => r.role === "leader" && r.podName !== leader.podName)
            ? true
            : undefined,
        30_000,
      );
      electionSamples.push(elected.ms);
      log(`leader killed → new leader at the hub: ${round(elected.ms)} ms`);
      await until(`${name} Running again`, performance.now(), () => runningWithLeader(name), 60_000);

      if (i < Math.min(runs, 3)) {
        const victim = leader.member;
        const stopped = performance.now();
        await atoll(["fault", "stop", victim, "--data-dir", dataDir]);
        const abnormal = await until(
          "the instance Abnormal at the hub",
          stopped,
          async () => ((await cluster(name))?.status?.phase === "Abnormal" ? true : undefined),
          60_000,
        );
        abnormalSamples.push(abnormal.ms);
        log(`member ${victim} stopped → Abnormal at the hub: ${round(abnormal.ms)} ms`);
        await atoll(["fault", "start", victim, "--data-dir", dataDir]);
        await until(
          `${name} Running after ${victim} returned`,
          performance.now(),
          () => runningWithLeader(name),
          90_000,
        );
      }
      await kubectl(["delete", "cluster", name, "--wait=true", "--timeout=60s"]);
    }
  } finally {
    hub?.close();
    await atoll(["down", "--data-dir", dataDir]).catch((error) => log(`atoll down failed: ${String(error)}`));
    await rm(dataDir, { recursive: true, force: true });
  }
  const results = {
    when: new Date().toISOString(),
    machine: { cores: availableParallelism(), loadavg: loadavg().map((l) => round(l)) },
    targets: TARGETS,
    applyToRunning: summary(applySamples),
    leaderKillToNewLeader: summary(electionSamples),
    memberDeathToAbnormal: summary(abnormalSamples),
  };
  await writeFile(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  const met =
    results.applyToRunning.maxMs <= TARGETS.applyToRunningMs &&
    results.leaderKillToNewLeader.maxMs <= TARGETS.leaderKillToNewLeaderMs &&
    results.memberDeathToAbnormal.maxMs <= TARGETS.memberDeathToAbnormalMs;
  log(met ? "all targets met" : "a target was missed");
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`bench:instances failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
