import { join } from "node:path";
import { percentile, round, type Summary, summarize } from "@atoll/bench-kit";
import type { BenchConfig } from "./config.ts";
import { deployment, namespace } from "./fixtures.ts";
import { kubectl } from "./kubectl.ts";
import type { MemberClient } from "./member-client.ts";
import { PodWatch } from "./pod-watch.ts";
import type { SimProcess } from "./sim-process.ts";

/** One `kubectl apply` of the Deployment until all its pods were Ready, then its deletion. */
export type RolloutRun = {
  /** kubectl apply started → the last pod's Ready seen on the watch. */
  readyMs: number;
  /** How long kubectl apply itself took (process start, request, exit). */
  applyMs: number;
  /** kubectl apply started → the first pod seen. */
  firstPodMs: number;
  /** Per pod: first seen → Ready (p50 and max). */
  podReadyP50Ms: number;
  podReadyMaxMs: number;
  /** kubectl delete started → the last pod gone. */
  deleteMs: number;
  /** The member's longest event-loop stall from apply to all Ready: how long any outside request could wait. */
  loopDelayMaxMs: number;
};

export type RolloutResult = { replicas: number; runs: RolloutRun[]; readyMs: Summary; deleteMs: Summary };

export type RolloutContext = {
  sim: SimProcess;
  client: MemberClient;
  kubeconfig: string;
  tempDir: string;
  config: BenchConfig;
  log: (line: string) => void;
};

const NAMESPACE = "bench-rollout";

/**
 * Rollout latency as a user sees it: the real kubectl applies a Deployment of
 * `rolloutReplicas` and a watch on the pods stamps when the last one is Ready.
 * Each run uses a fresh Deployment name and deletes it (and waits for its pods
 * to be gone) before the next.
 */
export async function measureRollout(context: RolloutContext): Promise<RolloutResult> {
  const { client, config } = context;
  const replicas = config.rolloutReplicas;
  await client.send("POST", "/api/v1/namespaces", namespace(NAMESPACE));
  const watch = await PodWatch.start(client, NAMESPACE);
  const options = {
    kubeconfig: context.kubeconfig,
    cacheDir: join(context.tempDir, "kube-cache"),
    timeoutMs: config.rolloutDeadlineMs,
  };
  const runs: RolloutRun[] = [];
  try {
    // Fills kubectl's discovery cache, which every later call reuses, as a user's would be.
    await kubectl(options, ["get", "deployments", "-n", NAMESPACE]);
    for (let run = 1; run <= config.rolloutRuns; run++) {
      const name = `rollout-${run}`;
      const manifest = JSON.stringify(deployment(NAMESPACE, name, replicas));
      await context.sim.loopDelay();
      const started = performance.now();
      await kubectl(options, ["apply", "-f", "-"], manifest);
      const applied = performance.now();
      const ready = await watch.waitFor(
        () => watch.readyCount(name) >= replicas,
        config.rolloutDeadlineMs,
        `${replicas} Ready pods of ${name}`,
      );
      const loop = await context.sim.loopDelay();
      const pods = watch.records(name);
      const perPod = pods.flatMap((p) => (p.readyAt === undefined ? [] : [p.readyAt - p.seenAt]));
      const deleting = performance.now();
      await kubectl(options, ["delete", "deployment", name, "-n", NAMESPACE, "--wait=false"]);
      const gone = await watch.waitFor(
        () => watch.count(name) === 0,
        config.rolloutDeadlineMs,
        `the pods of ${name} to be deleted`,
      );
      runs.push({
        readyMs: round(ready - started),
        applyMs: round(applied - started),
        firstPodMs: round(Math.min(...pods.map((p) => p.seenAt)) - started),
        podReadyP50Ms: round(percentile(perPod, 50)),
        podReadyMaxMs: round(Math.max(...perPod)),
        deleteMs: round(gone - deleting),
        loopDelayMaxMs: loop.maxMs,
      });
      context.log(`rollout ${run}/${config.rolloutRuns}: ${runs.at(-1)?.readyMs} ms to ${replicas} Ready`);
      watch.clearGone();
    }
  } finally {
    watch.stop();
  }
  return {
    replicas,
    runs,
    readyMs: summarize(runs.map((r) => r.readyMs)),
    deleteMs: summarize(runs.map((r) => r.deleteMs)),
  };
}
