import { type Summary as LatencySummary, median, summarize } from "@atoll/bench-kit";
import type { BenchConfig } from "./config.ts";
import { pod } from "./fixtures.ts";
import { type KubeClient, recordAt } from "./kube-client.ts";
import { type LoadResult, runLoad } from "./load-pool.ts";

export type ListResult = {
  /** Creating the pods, at `concurrency` in flight. */
  seed: LoadResult;
  pods: number;
  /** Size of one full list response, and of one pod in it. */
  listBytes: number;
  podBytes: number;
  /** One full list at a time, time to the last byte, ms. */
  fullList: LatencySummary;
  /** A full list in pages of `pageLimit`, following `continue`, ms: the median of `pagedLists` runs. */
  pagedListMs: number;
  pagedRunsMs: number[];
};

export type ListOptions = { client: KubeClient; config: BenchConfig; namespace: string; now: () => number };

/** Creates `listPods` pods in a namespace, then times full and paged lists of them. */
export async function measureLists(options: ListOptions): Promise<ListResult> {
  const { client, config, namespace, now } = options;
  await client.ensureNamespace(namespace);
  const path = `/api/v1/namespaces/${namespace}/pods`;
  const seed = await runLoad({
    concurrency: config.concurrency,
    count: config.listPods,
    deadlineMs: config.seedDeadlineMs,
    task: async (index) => {
      await client.send(
        "POST",
        path,
        pod(`web-${index.toString(36).padStart(4, "0")}-x7k2p`, namespace, index),
      );
    },
    now,
  });
  const pods = itemsOf(await client.getJson(path)).length;
  const deadline = now() + config.listDeadlineMs;
  const latencies: number[] = [];
  let listBytes = 0;
  while (latencies.length < config.lists && now() < deadline) {
    const start = now();
    listBytes = await client.getBytes(path);
    latencies.push(now() - start);
  }
  const pagedRunsMs: number[] = [];
  while (pagedRunsMs.length < config.pagedLists && now() < deadline) {
    pagedRunsMs.push(await pagedList(options, { path, expected: pods, deadline }));
  }
  return {
    seed,
    pods,
    listBytes,
    podBytes: Math.round(listBytes / Math.max(1, pods)),
    fullList: summarize(latencies),
    pagedListMs: median(pagedRunsMs),
    pagedRunsMs,
  };
}

type PagedListRequest = { path: string; expected: number; deadline: number };

async function pagedList(options: ListOptions, request: PagedListRequest): Promise<number> {
  const { path, expected, deadline } = request;
  const start = options.now();
  let items = 0;
  let token = "";
  do {
    if (options.now() > deadline)
      throw new Error(`paged list of ${path} still unfinished after ${items} items`);
    const query = `limit=${options.config.pageLimit}${token ? `&continue=${encodeURIComponent(token)}` : ""}`;
    const page = await options.client.getJson(`${path}?${query}`);
    items += itemsOf(page).length;
    const next = recordAt(page, "metadata").continue;
    token = typeof next === "string" ? next : "";
  } while (token);
  const elapsed = options.now() - start;
  if (items !== expected)
    throw new Error(`paged list of ${path} returned ${items} items, the full list ${expected}`);
  return elapsed;
}

function itemsOf(list: unknown): unknown[] {
  const items = typeof list === "object" && list !== null ? (list as { items?: unknown }).items : undefined;
  return Array.isArray(items) ? items : [];
}
