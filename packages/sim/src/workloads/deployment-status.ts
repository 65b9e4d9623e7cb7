import { type KubeObject, rfc3339 } from "@atoll/kube";
import { findCondition, setCondition, withoutCondition } from "./conditions.ts";
import {
  type DeploymentStatus,
  deploymentStatus,
  desiredReplicas,
  maxUnavailable,
  progressDeadlineSeconds,
  rsStatus,
  sumAvailableReplicas,
  sumReadyReplicas,
  sumSpecReplicas,
  sumStatusReplicas,
} from "./deployment-util.ts";
import { omitZero } from "./status-fields.ts";
import type { Condition } from "./workload-types.ts";

/** The Deployment condition reasons Kubernetes writes (and `kubectl rollout status` reads). */
export const DeploymentReasons = {
  minimumReplicasAvailable: "MinimumReplicasAvailable",
  minimumReplicasUnavailable: "MinimumReplicasUnavailable",
  newReplicaSetCreated: "NewReplicaSetCreated",
  foundNewReplicaSet: "FoundNewReplicaSet",
  replicaSetUpdated: "ReplicaSetUpdated",
  newReplicaSetAvailable: "NewReplicaSetAvailable",
  progressDeadlineExceeded: "ProgressDeadlineExceeded",
  replicaSetCreateError: "ReplicaSetCreateError",
  paused: "DeploymentPaused",
  resumed: "DeploymentResumed",
} as const;

/** A Deployment condition stamped `now` (lastUpdateTime and lastTransitionTime). */
export function deploymentCondition(
  type: string,
  status: Condition["status"],
  reason: string,
  message: string,
  now: Date,
): Condition {
  const at = rfc3339(now);
  return { type, status, lastUpdateTime: at, lastTransitionTime: at, reason, message };
}

/** The replica counts and the Available condition (`calculateStatus`); other conditions carry over. */
export function calculateStatus(
  allRSs: Array<KubeObject | undefined>,
  newRS: KubeObject | undefined,
  d: KubeObject,
  now: Date,
): DeploymentStatus {
  const available = sumAvailableReplicas(allRSs);
  const previous = deploymentStatus(d);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: sumStatusReplicas(allRSs),
    updatedReplicas: sumStatusReplicas([newRS]),
    readyReplicas: sumReadyReplicas(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(sumSpecReplicas(allRSs) - available, 0),
    conditions: [...(previous.conditions ?? [])],
    collisionCount: previous.collisionCount,
  };
  status.conditions =
    available >= desiredReplicas(d) - maxUnavailable(d)
      ? setCondition(
          status.conditions,
          deploymentCondition(
            "Available",
            "True",
            DeploymentReasons.minimumReplicasAvailable,
            "Deployment has minimum availability.",
            now,
          ),
        )
      : setCondition(
          status.conditions,
          deploymentCondition(
            "Available",
            "False",
            DeploymentReasons.minimumReplicasUnavailable,
            "Deployment does not have minimum availability.",
            now,
          ),
        );
  return status;
}

/** All desired replicas updated, present and available, for the latest generation (`DeploymentComplete`). */
export function deploymentComplete(d: KubeObject, status: DeploymentStatus): boolean {
  const desired = desiredReplicas(d);
  return (
    (status.updatedReplicas ?? 0) === desired &&
    (status.replicas ?? 0) === desired &&
    (status.availableReplicas ?? 0) === desired &&
    (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}

/** Any progress since the last status: more updated, ready or available replicas, or fewer old ones. */
function deploymentProgressing(d: KubeObject, next: DeploymentStatus): boolean {
  const old = deploymentStatus(d);
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
  return (
    (next.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (next.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (next.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

function deploymentTimedOut(d: KubeObject, next: DeploymentStatus, now: Date): boolean {
  const deadline = progressDeadlineSeconds(d);
  const condition = findCondition(next.conditions, "Progressing");
  if (deadline === undefined || !condition) return false;
  if (condition.reason === DeploymentReasons.newReplicaSetAvailable) return false;
  if (condition.reason === DeploymentReasons.progressDeadlineExceeded) return true;
  const from = Date.parse(condition.lastUpdateTime ?? "") || 0;
  return from + deadline * 1000 < now.getTime();
}

/**
 * The status a rolling or recreating Deployment should have
 * (`syncRolloutStatus`): counts and Available, then Progressing —
 * NewReplicaSetAvailable when complete, ReplicaSetUpdated while progress is
 * made, ProgressDeadlineExceeded when none was made within the deadline —
 * and the ReplicaFailure of its ReplicaSets (the new one's first).
 */
export function rolloutStatus(
  allRSs: Array<KubeObject | undefined>,
  newRS: KubeObject | undefined,
  d: KubeObject,
  now: Date,
): DeploymentStatus {
  const status = calculateStatus(allRSs, newRS, d, now);
  const name = d.metadata.name ?? "";
  if (progressDeadlineSeconds(d) === undefined)
    status.conditions = withoutCondition(status.conditions, "Progressing");
  const current = findCondition(deploymentStatus(d).conditions, "Progressing");
  const complete =
    status.replicas === status.updatedReplicas &&
    current?.reason === DeploymentReasons.newReplicaSetAvailable;
  const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${name}"`;
  if (progressDeadlineSeconds(d) !== undefined && !complete) {
    if (deploymentComplete(d, status)) {
      status.conditions = setCondition(
        status.conditions,
        deploymentCondition(
          "Progressing",
          "True",
          DeploymentReasons.newReplicaSetAvailable,
          `${subject} has successfully progressed.`,
          now,
        ),
      );
    } else if (deploymentProgressing(d, status)) {
      const condition = deploymentCondition(
        "Progressing",
        "True",
        DeploymentReasons.replicaSetUpdated,
        `${subject} is progressing.`,
        now,
      );
      // Progress refreshes lastUpdateTime even when the reason is unchanged.
      if (current?.status === "True") condition.lastTransitionTime = current.lastTransitionTime;
      status.conditions = [...withoutCondition(status.conditions, "Progressing"), condition];
    } else if (deploymentTimedOut(d, status, now)) {
      status.conditions = setCondition(
        status.conditions,
        deploymentCondition(
          "Progressing",
          "False",
          DeploymentReasons.progressDeadlineExceeded,
          `${subject} has timed out progressing.`,
          now,
        ),
      );
    }
  }
  const failure = replicaFailure(allRSs, newRS);
  status.conditions = failure
    ? setCondition(status.conditions, failure)
    : withoutCondition(status.conditions, "ReplicaFailure");
  return status;
}

function replicaFailure(
  allRSs: Array<KubeObject | undefined>,
  newRS: KubeObject | undefined,
): Condition | undefined {
  for (const rs of [newRS, ...allRSs]) {
    const failure = rs && findCondition(rsStatus(rs).conditions, "ReplicaFailure");
    if (failure) {
      const { type, status, reason, message, lastTransitionTime } = failure;
      return { type, status, lastUpdateTime: lastTransitionTime, lastTransitionTime, reason, message };
    }
  }
  return undefined;
}

/**
 * When to look again at a rollout that has not completed, to notice it
 * passing its progress deadline (`requeueStuckDeployment`); undefined when
 * there is nothing to wait for.
 */
export function stuckRequeueMs(d: KubeObject, next: DeploymentStatus, now: Date): number | undefined {
  const deadline = progressDeadlineSeconds(d);
  const condition = findCondition(deploymentStatus(d).conditions, "Progressing");
  if (deadline === undefined || !condition) return undefined;
  if (deploymentComplete(d, next) || condition.reason === DeploymentReasons.progressDeadlineExceeded)
    return undefined;
  const after = (Date.parse(condition.lastUpdateTime ?? "") || 0) + deadline * 1000 - now.getTime();
  return after < 1000 ? 1000 : after + 1000;
}

/** The status as written: zero counters left out. */
export function statusForWrite(status: DeploymentStatus): Record<string, unknown> {
  return omitZero(status);
}
