import { median } from "@atoll/bench-kit";
import type { BenchConfig } from "./config.ts";
import { configMap } from "./fixtures.ts";
import { type KubeClient, type ObjectRef, refOf } from "./kube-client.ts";
import { type LoadResult, runLoad } from "./load-pool.ts";

export type RateSummary = {
  /** Median over the rounds of successful requests per second. */
  perSecond: number;
  rounds: LoadResult[];
};

export type ThroughputResult = { creates: RateSummary; updates: RateSummary; gets: RateSummary };

export type ThroughputOptions = {
  client: KubeClient;
  config: BenchConfig;
  namespace: string;
  now: () => number;
};

/**
 * ConfigMap creates (POST), updates (PUT with the resourceVersion last
 * returned, so none should conflict) and gets, each in `config.rounds` rounds
 * of `requestsPerRound` at `concurrency` in flight.
 */
export async function measureThroughput(options: ThroughputOptions): Promise<ThroughputResult> {
  const { client, config, namespace } = options;
  await client.ensureNamespace(namespace);
  const path = `/api/v1/namespaces/${namespace}/configmaps`;
  const objects: ObjectRef[] = [];
  const load = (count: number, task: (index: number) => Promise<void>) =>
    runLoad({
      concurrency: config.concurrency,
      count,
      deadlineMs: config.roundDeadlineMs,
      task,
      now: options.now,
    });

  const create = (prefix: string) => async (index: number) => {
    const reply = await client.send("POST", path, configMap({ name: `${prefix}-${index}`, namespace }, 0));
    objects.push(refOf(reply));
  };
  // Each update picks the next object in turn; with more objects than requests in flight, no two
  // requests ever hold the same object, so every PUT carries its current resourceVersion.
  let cursor = 0;
  const update = async () => {
    const slot = cursor++ % objects.length;
    const { name, resourceVersion } = objects[slot];
    const body = configMap({ name, namespace, resourceVersion }, cursor);
    objects[slot] = refOf(await client.send("PUT", `${path}/${name}`, body));
  };
  const get = async (index: number) => {
    await client.send("GET", `${path}/${objects[index % objects.length].name}`);
  };

  await load(config.warmupRequests, create("warmup"));
  await load(config.warmupRequests, get);
  const creates = await rounds(config.rounds, (round) =>
    load(config.requestsPerRound, create(`cm-r${round}`)),
  );
  if (objects.length < config.concurrency * 4) {
    throw new Error(
      `only ${objects.length} ConfigMaps were created; too few to measure updates without conflicts`,
    );
  }
  const updates = await rounds(config.rounds, () => load(config.requestsPerRound, update));
  const gets = await rounds(config.rounds, () => load(config.requestsPerRound, get));
  return { creates, updates, gets };
}

async function rounds(count: number, run: (round: number) => Promise<LoadResult>): Promise<RateSummary> {
  const results: LoadResult[] = [];
  for (let round = 0; round < count; round++) results.push(await run(round));
  return { perSecond: median(results.map((r) => r.perSecond)), rounds: results };
}
