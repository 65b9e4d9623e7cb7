import { type Cluster, KB_CLUSTERS } from "@atoll/api";
import { type KubeClient, StatusError } from "@atoll/kube";
import type { ClusterChange } from "./ops-actions.ts";
import { OPS_QUEUE_ANNOTATION } from "./ops-names.ts";
import { type QueueEntry, queueValue } from "./ops-queue.ts";

/** A change to a Cluster, possibly with its new ops queue. */
export type QueuedChange = ClusterChange & { queue?: QueueEntry[] };

const ATTEMPTS = 5;

/**
 * Makes the change `build` computes from the Cluster, as one merge patch
 * conditional on the Cluster's resourceVersion, so a queue decision and the
 * spec change it allows land together or not at all. On a conflict the
 * Cluster is read again and the change recomputed. Resolves with the
 * Cluster as written (or as it is, when `build` has nothing to change), or
 * undefined when the Cluster is gone.
 */
export async function changeCluster(
  hub: KubeClient,
  cluster: Cluster,
  build: (cluster: Cluster) => QueuedChange | undefined,
): Promise<Cluster | undefined> {
  const { namespace, name = "" } = cluster.metadata;
  let current: Cluster | undefined = cluster;
  for (let attempt = 0; attempt < ATTEMPTS && current; attempt++) {
    const change = build(current);
    if (!change) return current;
    const annotations: Record<string, string | null> = { ...change.annotations };
    if (change.queue) annotations[OPS_QUEUE_ANNOTATION] = queueValue(change.queue);
    const patch = {
      metadata: { resourceVersion: current.metadata.resourceVersion, annotations },
      ...(change.componentSpecs ? { spec: { componentSpecs: change.componentSpecs } } : {}),
    };
    try {
      return (await hub.patch(KB_CLUSTERS, namespace, name, "merge", patch)) as Cluster;
    } catch (error) {
      if (error instanceof StatusError && error.reason === "NotFound") return undefined;
      if (!(error instanceof StatusError && error.reason === "Conflict")) {
        throw new Error(`failed to update Cluster ${namespace}/${name}: ${messageOf(error)}`, {
          cause: error,
        });
      }
      current = (await hub.get(KB_CLUSTERS, namespace, name)) as Cluster | undefined;
    }
  }
  if (!current) return undefined;
  throw new Error(`failed to update Cluster ${namespace}/${name}: it kept changing (${ATTEMPTS} conflicts)`);
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
