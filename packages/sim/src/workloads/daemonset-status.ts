import type { KubeObject } from "@atoll/kube";
import { nodeShouldRunDaemonPod } from "./node-placement.ts";
import { isPodAvailable, isPodReady, podPhase } from "./pod-state.ts";
import { omitZero } from "./status-fields.ts";
import { WorkloadLabels } from "./well-known.ts";
import { intOr, type LabelSelector, type PodTemplate, specOf } from "./workload-types.ts";

/** The DaemonSet spec fields the controller reads. */
export type DaemonSetSpec = {
  selector?: LabelSelector;
  template?: PodTemplate;
  minReadySeconds?: number;
  updateStrategy?: {
    type?: string;
    rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string };
  };
};

/** `ds.spec` as a DaemonSetSpec (`{}` when missing). */
export const daemonSetSpec = (ds: KubeObject) => specOf<DaemonSetSpec>(ds);

/** Oldest first, Running before not (`podByCreationTimestampAndPhase`): the pod that counts for a node. */
export function byAgeAndPhase(a: KubeObject, b: KubeObject): number {
  const running = Number(podPhase(b) === "Running") - Number(podPhase(a) === "Running");
  if (running !== 0) return running;
  const age =
    (Date.parse(a.metadata.creationTimestamp ?? "") || 0) -
    (Date.parse(b.metadata.creationTimestamp ?? "") || 0);
  return age || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");
}

/**
 * A DaemonSet's status over the nodes (`updateDaemonSetStatus`): nodes that
 * should run it (desired) and of those the ones with a pod (current), ready,
 * available and updated (at revision `hash`); nodes that have a pod but
 * should not (misscheduled).
 */
export function daemonSetStatus(
  ds: KubeObject,
  nodes: KubeObject[],
  podsByNode: Map<string, KubeObject[]>,
  hash: string,
  now: Date,
): Record<string, unknown> {
  const spec = daemonSetSpec(ds);
  const minReadySeconds = intOr(spec.minReadySeconds, 0);
  let desired = 0;
  let current = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  let misscheduled = 0;
  for (const node of nodes) {
    const pods = podsByNode.get(node.metadata.name ?? "") ?? [];
    if (!nodeShouldRunDaemonPod(node, spec.template?.spec).shouldRun) {
      if (pods.length > 0) misscheduled++;
      continue;
    }
    desired++;
    if (pods.length === 0) continue;
    current++;
    const pod = [...pods].sort(byAgeAndPhase)[0];
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReadySeconds, now)) available++;
    }
    if (pod.metadata.labels?.[WorkloadLabels.controllerRevisionHash] === hash) updated++;
  }
  return omitZero(
    {
      currentNumberScheduled: current,
      numberMisscheduled: misscheduled,
      desiredNumberScheduled: desired,
      numberReady: ready,
      observedGeneration: ds.metadata.generation ?? 0,
      updatedNumberScheduled: updated,
      numberAvailable: available,
      numberUnavailable: desired - available,
      conditions: (ds.status as { conditions?: unknown[] } | undefined)?.conditions,
    },
    ["currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady"],
  );
}
