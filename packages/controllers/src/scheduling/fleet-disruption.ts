import { type MemberCluster, MemberConditions } from "@atoll/api";

export type FleetHealth = {
  /** Members whose Ready condition is False or Unknown. */
  unhealthy: number;
  /** Members whose readiness is known (disabled members and members not yet probed are not counted). */
  counted: number;
  /** Whether taint evictions are paused. */
  paused: boolean;
};

/**
 * Kubernetes' node lifecycle controller stops evicting when too much of a
 * zone is NotReady at once: that is more likely the controller losing the
 * network than every node failing, and moving everything would stampede
 * the few healthy ones. The fleet is one zone here: evictions pause while
 * more than `threshold` of the members are NotReady or Unknown. Disabled
 * members are the operator's choice, not an outage, so they do not count.
 */
export function fleetHealth(members: readonly MemberCluster[], threshold: number): FleetHealth {
  let unhealthy = 0;
  let counted = 0;
  for (const member of members) {
    if (member.spec.disabled || member.metadata.deletionTimestamp) continue;
    const ready = member.status?.conditions?.find((c) => c.type === MemberConditions.Ready);
    if (!ready) continue;
    counted++;
    if (ready.status !== "True") unhealthy++;
  }
  return { unhealthy, counted, paused: counted > 0 && unhealthy / counted > threshold };
}
