import type { KubeObject } from "@atoll/kube";
import { isPodAvailable, isPodRunningAndReady, isPodTerminating } from "./pod-state.ts";
import { podRevision, replicasOf, type StatefulSetStatus, statefulSetSpec } from "./statefulset-identity.ts";
import { omitZero } from "./status-fields.ts";
import { intOr } from "./workload-types.ts";

/**
 * A StatefulSet's status from its pods (`updateStatus` then
 * `completeRollingUpdate`): replicas, ready and available (Running and Ready,
 * for minReadySeconds), and the pods at the current and update revisions;
 * once a RollingUpdate has every replica updated and ready, the update
 * revision becomes the current one.
 */
export function statefulSetStatus(
  set: KubeObject,
  pods: KubeObject[],
  revisions: { current: string; update: string },
  now: Date,
): StatefulSetStatus {
  const spec = statefulSetSpec(set);
  const minReadySeconds = intOr(spec.minReadySeconds, 0);
  const status: StatefulSetStatus = {
    observedGeneration: set.metadata.generation ?? 0,
    replicas: 0,
    readyReplicas: 0,
    currentReplicas: 0,
    updatedReplicas: 0,
    currentRevision: revisions.current,
    updateRevision: revisions.update,
    collisionCount: 0,
    availableReplicas: 0,
  };
  const count = (
    field: "replicas" | "readyReplicas" | "currentReplicas" | "updatedReplicas" | "availableReplicas",
  ) => {
    status[field] = (status[field] ?? 0) + 1;
  };
  for (const pod of pods) {
    count("replicas");
    if (isPodRunningAndReady(pod)) {
      count("readyReplicas");
      if (isPodAvailable(pod, minReadySeconds, now)) count("availableReplicas");
    }
    if (isPodTerminating(pod)) continue;
    if (podRevision(pod) === revisions.current) count("currentReplicas");
    if (podRevision(pod) === revisions.update) count("updatedReplicas");
  }
  const desired = replicasOf(set);
  if (
    spec.updateStrategy?.type !== "OnDelete" &&
    status.updatedReplicas === desired &&
    status.readyReplicas === desired &&
    status.replicas === desired
  ) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
  const previous = (set.status ?? {}) as StatefulSetStatus;
  if (previous.conditions) status.conditions = previous.conditions;
  return omitZero(status, ["replicas", "collisionCount", "availableReplicas"]);
}
