import type { MemberCluster, ResourceBinding } from "@atoll/api";
import { splitApiVersion } from "../propagation/resource-mapper.ts";
import type { ReplicaRequirements, ScheduleInput, TargetCluster } from "../scheduler/index.ts";
import { effectiveTaints, noExecuteVerdict } from "./no-execute.ts";

/** The binding's current result, as the core reads it (replicas 0 when unset). */
export function currentTargets(binding: ResourceBinding): TargetCluster[] {
  return (binding.spec.clusters ?? []).map((c) => ({ name: c.name, replicas: c.replicas ?? 0 }));
}

function requirementsOf(binding: ResourceBinding): ReplicaRequirements | undefined {
  const request = binding.spec.replicaRequirements?.resourceRequest;
  if (!request) return undefined;
  const requirements: ReplicaRequirements = {};
  if (request.cpu !== undefined) requirements.cpu = String(request.cpu);
  if (request.memory !== undefined) requirements.memory = String(request.memory);
  return requirements.cpu || requirements.memory ? requirements : undefined;
}

/**
 * How a member looks to the scheduler for this binding. Readiness taints the
 * member has outgrown are left out (see effectiveTaints). And leaving a
 * member because of a NoExecute taint is the taint manager's job —
 * gracefully, rate-limited, and paused during a fleet-wide outage — so the
 * scheduler must not drop a holder first: a holder under an untolerated
 * NoExecute taint is shown without it but cordoned, so it keeps its share
 * and gets nothing new until it is evicted.
 */
function asSeenBy(
  binding: ResourceBinding,
  member: MemberCluster,
  holder: boolean,
  now: Date,
): MemberCluster {
  const taints = effectiveTaints(member);
  const seen =
    taints.length === (member.spec.taints?.length ?? 0)
      ? member
      : { ...member, spec: { ...member.spec, taints } };
  if (!holder) return seen;
  const verdict = noExecuteVerdict(seen, binding.spec.placement?.clusterTolerations ?? [], now);
  if (!verdict.evict) return seen;
  const kept = taints.filter((t) => t.effect !== "NoExecute");
  return { ...member, spec: { ...member.spec, taints: kept, unschedulable: true } };
}

/**
 * Everything the pure scheduler reads for one binding. Members being deleted
 * count as gone; members the binding is being evicted from (its graceful
 * eviction tasks) are not candidates.
 */
export function scheduleInputOf(
  binding: ResourceBinding,
  members: readonly MemberCluster[],
  now: Date,
): ScheduleInput {
  const { spec } = binding;
  const previous = currentTargets(binding);
  const holders = new Set(previous.map((p) => p.name));
  const clusters = members
    .filter((m) => m.metadata.deletionTimestamp === undefined)
    .map((m) => asSeenBy(binding, m, holders.has(m.metadata.name ?? ""), now));
  const { group, version } = splitApiVersion(spec.resource.apiVersion);
  const input: ScheduleInput = {
    placement: spec.placement ?? {},
    replicas: spec.replicas ?? 0,
    gvk: { group, version, kind: spec.resource.kind },
    clusters,
    previous,
    now,
  };
  const requirements = requirementsOf(binding);
  if (requirements) input.replicaRequirements = requirements;
  const evictedFrom = (spec.gracefulEvictionTasks ?? []).map((t) => t.fromCluster);
  if (evictedFrom.length > 0) input.evictedFrom = evictedFrom;
  const observed = binding.status?.schedulerObservedAffinityName;
  if (observed) input.observedAffinityName = observed;
  return input;
}
