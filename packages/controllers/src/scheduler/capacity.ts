import type { MemberCluster, ResourceList } from "@atoll/api";
import { milliValue, parseQuantity } from "@atoll/kube";
import type { ReplicaRequirements } from "./schedule-types.ts";

/** What is left of a resource, in base units; 0 when the member does not report it. */
function free(parse: (q: string) => number, allocatable?: string, allocated?: string): number {
  if (allocatable === undefined) return 0;
  return parse(allocatable) - (allocated === undefined ? 0 : parse(allocated));
}

/**
 * How many more replicas the member can take (Karmada's general estimator):
 * the free pod slots, and, for each requested resource, free allocatable
 * divided by the per-replica request — whichever is least. A member without
 * a resource summary can take none; with no pod count and no requests, the
 * room is unbounded (Infinity).
 */
export function availableReplicas(cluster: MemberCluster, requirements?: ReplicaRequirements): number {
  const summary = cluster.status?.resourceSummary;
  if (!summary) return 0;
  const allocatable: ResourceList = summary.allocatable ?? {};
  const allocated: ResourceList = summary.allocated ?? {};
  const limits: number[] = [];
  if (allocatable.pods !== undefined) limits.push(free(parseQuantity, allocatable.pods, allocated.pods));
  const cpu = requirements?.cpu ? milliValue(requirements.cpu) : 0;
  if (cpu > 0) limits.push(free(milliValue, allocatable.cpu, allocated.cpu) / cpu);
  const memory = requirements?.memory ? parseQuantity(requirements.memory) : 0;
  if (memory > 0) limits.push(free(parseQuantity, allocatable.memory, allocated.memory) / memory);
  return limits.length === 0 ? Number.POSITIVE_INFINITY : Math.max(0, Math.floor(Math.min(...limits)));
}

/** Whether replicas carry resource requests, which makes weighted division respect capacity. */
export function isCapacityAware(requirements?: ReplicaRequirements): boolean {
  return Boolean(requirements?.cpu || requirements?.memory);
}
