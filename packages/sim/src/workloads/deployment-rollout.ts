import type { KubeObject } from "@atoll/kube";
import { calculateStatus, deploymentComplete, rolloutStatus } from "./deployment-status.ts";
import type { DeploymentSync } from "./deployment-sync.ts";
import {
  byCreation,
  deploymentSpec,
  desiredReplicas,
  filterActive,
  findActiveOrLatest,
  isRollingUpdate,
  isSaturated,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  proportionFor,
  rsSpecReplicas,
  rsStatus,
  sumAvailableReplicas,
  sumSpecReplicas,
  sumStatusReplicas,
} from "./deployment-util.ts";
import { isPodTerminal } from "./pod-state.ts";
import { intOr } from "./workload-types.ts";

/** Replaces `rs` (by uid) in `list` with its updated version. */
function replace(list: KubeObject[], rs: KubeObject): KubeObject[] {
  return list.map((item) => (item.metadata.uid === rs.metadata.uid ? rs : item));
}

async function syncRolloutStatus(sync: DeploymentSync, oldRSs: KubeObject[], newRS: KubeObject | undefined) {
  const status = rolloutStatus([...oldRSs, newRS], newRS, sync.deployment, sync.now());
  await sync.writeStatus(status, { checkStuck: true });
}

/**
 * RollingUpdate (`rolloutRolling`): scale the new ReplicaSet up as far as
 * maxSurge allows, else scale old ones down as far as maxUnavailable allows
 * (unhealthy old replicas first), and clean up history once complete.
 */
export async function rolloutRolling(sync: DeploymentSync, rsList: KubeObject[]): Promise<void> {
  const found = await sync.replicaSets(rsList, true);
  let newRS = found.newRS as KubeObject;
  let oldRSs = found.oldRSs;
  const d = () => sync.deployment;
  const desired = desiredReplicas(d());

  if (rsSpecReplicas(newRS) !== desired) {
    const size = rsSpecReplicas(newRS) > desired ? desired : newRSNewReplicas(d(), [...oldRSs, newRS], newRS);
    const result = await sync.scaleReplicaSet(newRS, size);
    newRS = result.rs;
    if (result.scaled) return syncRolloutStatus(sync, oldRSs, newRS);
  }

  const oldActive = filterActive(oldRSs);
  if (sumSpecReplicas(oldActive) > 0) {
    const minAvailable = desired - maxUnavailable(d());
    const newUnavailable = rsSpecReplicas(newRS) - intOr(rsStatus(newRS).availableReplicas, 0);
    const maxScaledDown = sumSpecReplicas([...oldRSs, newRS]) - minAvailable - newUnavailable;
    if (maxScaledDown > 0) {
      let scaledDown = 0;
      // Unhealthy old replicas first: removing them costs no availability.
      for (const rs of [...oldActive].sort(byCreation)) {
        if (scaledDown >= maxScaledDown) break;
        const unhealthy = rsSpecReplicas(rs) - intOr(rsStatus(rs).availableReplicas, 0);
        if (unhealthy <= 0) continue;
        const count = Math.min(maxScaledDown - scaledDown, unhealthy);
        oldRSs = replace(oldRSs, (await sync.scaleReplicaSet(rs, rsSpecReplicas(rs) - count)).rs);
        scaledDown += count;
      }
      const available = sumAvailableReplicas([...oldRSs, newRS]);
      if (available > minAvailable) {
        const budget = available - minAvailable;
        let removed = 0;
        for (const rs of filterActive(oldRSs).sort(byCreation)) {
          if (removed >= budget) break;
          const count = Math.min(rsSpecReplicas(rs), budget - removed);
          oldRSs = replace(oldRSs, (await sync.scaleReplicaSet(rs, rsSpecReplicas(rs) - count)).rs);
          removed += count;
        }
        scaledDown += removed;
      }
      if (scaledDown > 0) return syncRolloutStatus(sync, oldRSs, newRS);
    }
  }

  if (deploymentComplete(d(), calculateStatus([...oldRSs, newRS], newRS, d(), sync.now()))) {
    await sync.cleanup(oldRSs);
  }
  return syncRolloutStatus(sync, oldRSs, newRS);
}

/**
 * Recreate (`rolloutRecreate`): scale every old ReplicaSet to zero, wait
 * until none of their pods is left running, then create and scale up the
 * new one.
 */
export async function rolloutRecreate(
  sync: DeploymentSync,
  rsList: KubeObject[],
  podsByOwner: Map<string, KubeObject[]>,
): Promise<void> {
  let { newRS, oldRSs } = await sync.replicaSets(rsList, false);
  let scaledDown = false;
  for (const rs of filterActive(oldRSs)) {
    const result = await sync.scaleReplicaSet(rs, 0);
    oldRSs = replace(oldRSs, result.rs);
    scaledDown ||= result.scaled;
  }
  if (scaledDown) return syncRolloutStatus(sync, oldRSs, newRS);
  if (oldPodsRunning(newRS, oldRSs, podsByOwner)) return syncRolloutStatus(sync, oldRSs, newRS);
  if (!newRS) ({ newRS, oldRSs } = await sync.replicaSets(rsList, true));
  if (newRS && rsSpecReplicas(newRS) !== desiredReplicas(sync.deployment)) {
    newRS = (await sync.scaleReplicaSet(newRS, desiredReplicas(sync.deployment))).rs;
  }
  if (
    deploymentComplete(
      sync.deployment,
      calculateStatus([...oldRSs, newRS], newRS, sync.deployment, sync.now()),
    )
  ) {
    await sync.cleanup(oldRSs);
  }
  return syncRolloutStatus(sync, oldRSs, newRS);
}

function oldPodsRunning(
  newRS: KubeObject | undefined,
  oldRSs: KubeObject[],
  podsByOwner: Map<string, KubeObject[]>,
): boolean {
  if (sumStatusReplicas(oldRSs) > 0) return true;
  for (const [uid, pods] of podsByOwner) {
    if (uid === newRS?.metadata.uid) continue;
    if (pods.some((pod) => !isPodTerminal(pod))) return true;
  }
  return false;
}

/**
 * A paused Deployment, or one whose size changed (`sync`): resize the
 * ReplicaSets without rolling out, clean up history when paused, and report.
 */
export async function syncScaling(sync: DeploymentSync, rsList: KubeObject[]): Promise<void> {
  const found = await sync.replicaSets(rsList, false);
  const { newRS, oldRSs } = await scale(sync, found.newRS, found.oldRSs);
  if (deploymentSpec(sync.deployment).paused) await sync.cleanup(oldRSs);
  await sync.writeStatus(calculateStatus([...oldRSs, newRS], newRS, sync.deployment, sync.now()));
}

/**
 * Sizes the ReplicaSets to the Deployment's replicas (`scale`): all of them
 * to the only active (or newest) one; old ones to zero once the new one is
 * saturated; otherwise, mid-rollout, in proportion to their sizes.
 */
async function scale(
  sync: DeploymentSync,
  newRS: KubeObject | undefined,
  oldRSs: KubeObject[],
): Promise<{ newRS: KubeObject | undefined; oldRSs: KubeObject[] }> {
  const d = sync.deployment;
  const desired = desiredReplicas(d);
  const update = (rs: KubeObject) => {
    if (rs.metadata.uid === newRS?.metadata.uid) newRS = rs;
    else oldRSs = replace(oldRSs, rs);
  };
  const only = findActiveOrLatest(newRS, oldRSs);
  if (only) {
    if (rsSpecReplicas(only) !== desired) update((await sync.scaleReplicaSet(only, desired)).rs);
    return { newRS, oldRSs };
  }
  if (isSaturated(d, newRS)) {
    for (const rs of filterActive(oldRSs)) update((await sync.scaleReplicaSet(rs, 0)).rs);
    return { newRS, oldRSs };
  }
  if (!isRollingUpdate(d)) return { newRS, oldRSs };
  const active = filterActive([...oldRSs, newRS]);
  const allowed = desired > 0 ? desired + maxSurge(d) : 0;
  const toAdd = allowed - sumSpecReplicas(active);
  // Scaling up favours the largest (then newest) ReplicaSets, scaling down the largest (then oldest).
  active.sort(
    (a, b) => rsSpecReplicas(b) - rsSpecReplicas(a) || (toAdd > 0 ? byCreation(b, a) : byCreation(a, b)),
  );
  const sizes = new Map<KubeObject, number>();
  let added = 0;
  for (const rs of active) {
    const share = toAdd === 0 ? 0 : proportionFor(d, rs, toAdd, added);
    sizes.set(rs, rsSpecReplicas(rs) + share);
    added += share;
  }
  for (const [i, rs] of active.entries()) {
    let size = sizes.get(rs) ?? 0;
    if (i === 0 && toAdd !== 0) size = Math.max(size + toAdd - added, 0);
    update((await sync.scaleReplicaSet(rs, size)).rs);
  }
  return { newRS, oldRSs };
}
