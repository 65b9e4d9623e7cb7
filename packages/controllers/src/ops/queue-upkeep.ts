import { type Cluster, OPS_REQUESTS } from "@atoll/api";
import type { Informer, KubeClient } from "@atoll/kube";
import { changeCluster } from "./cluster-writes.ts";
import { parseQueue, type QueueEntry, without } from "./ops-queue.ts";
import type { Ops } from "./ops-spec.ts";
import { isTerminal } from "./ops-status.ts";

/** Takes an operation out of its Cluster's queue, if it is there. */
export async function leaveQueue(hub: KubeClient, cluster: Cluster, name: string): Promise<void> {
  if (!parseQueue(cluster).some((e) => e.name === name)) return;
  await changeCluster(hub, cluster, (c) => {
    const entries = parseQueue(c);
    return entries.some((e) => e.name === name) ? { queue: without(entries, [name]) } : undefined;
  });
}

/**
 * The queue entries (other than `self`) whose operation has finished or no
 * longer exists — checked with the API when the cache does not have it, as
 * the cache may lag.
 */
export async function staleEntries(
  sources: { hub: KubeClient; ops: Informer | undefined },
  namespace: string | undefined,
  queue: readonly QueueEntry[],
  self = "",
): Promise<string[]> {
  const stale: string[] = [];
  for (const entry of queue) {
    if (entry.name === self) continue;
    const cached = sources.ops?.get(`${namespace}/${entry.name}`) as Ops | undefined;
    if (cached) {
      if (isTerminal(cached.status?.phase)) stale.push(entry.name);
      continue;
    }
    const live = (await sources.hub.get(OPS_REQUESTS, namespace, entry.name)) as Ops | undefined;
    if (!live || isTerminal(live.status?.phase)) stale.push(entry.name);
  }
  return stale;
}

/** Drops the entries of operations deleted or finished from a Cluster's queue, so the next one can start. */
export async function pruneQueue(
  sources: { hub: KubeClient; ops: Informer | undefined },
  cluster: Cluster,
): Promise<void> {
  const stale = await staleEntries(sources, cluster.metadata.namespace, parseQueue(cluster));
  if (!stale.length) return;
  await changeCluster(sources.hub, cluster, (c) => ({ queue: without(parseQueue(c), stale) }));
}
