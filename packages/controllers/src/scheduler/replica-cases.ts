import assert from "node:assert/strict";
import { test } from "node:test";
import type { MemberCluster } from "@atoll/api";
import type { Placement, ReplicaSchedulingStrategy } from "./placement-types.ts";
import { schedule } from "./schedule.ts";
import type { FitError, ScheduleInput, ScheduleResult, TargetCluster } from "./schedule-types.ts";
import { input, member } from "./test-members.ts";

/** The placement as `{ member: replicas }`; fails the test on a fit error. */
export function placed(result: ScheduleResult): Record<string, number> {
  assert.ok("clusters" in result, `expected a placement, got ${JSON.stringify(result)}`);
  return Object.fromEntries(result.clusters.map((t) => [t.name, t.replicas]));
}

/** The fit error; fails the test on a placement. */
export function failed(result: ScheduleResult): FitError {
  assert.ok("error" in result, `expected an error, got ${JSON.stringify(result)}`);
  return result.error;
}

/** One row of a replica-scheduling table: the members, the ask, and the exact counts (or fit error message) wanted. */
export type ReplicaCase = {
  name: string;
  clusters: MemberCluster[];
  replicas: number;
  strategy?: ReplicaSchedulingStrategy;
  placement?: Placement;
  cpu?: string;
  memory?: string;
  previous?: TargetCluster[];
  evictedFrom?: string[];
  want: Record<string, number> | { error: string };
};

/** Registers one test per row. */
export function runReplicaCases(cases: ReplicaCase[]) {
  for (const c of cases) {
    test(c.name, () => {
      const overrides: Partial<ScheduleInput> = {
        replicas: c.replicas,
        placement: { ...c.placement, ...(c.strategy ? { replicaScheduling: c.strategy } : {}) },
      };
      if (c.cpu || c.memory) overrides.replicaRequirements = { cpu: c.cpu, memory: c.memory };
      if (c.previous) overrides.previous = c.previous;
      if (c.evictedFrom) overrides.evictedFrom = c.evictedFrom;
      const result = schedule(input(c.clusters, overrides));
      if ("error" in c.want) {
        assert.equal(failed(result).message, c.want.error);
        return;
      }
      assert.deepEqual(placed(result), c.want);
    });
  }
}

/** k8s-1 (gold), k8s-2 and k8s-3 (silver) with the given free cores. */
export const three = (free: [number, number, number] = [16, 16, 16]) => [
  member("k8s-1", { freeCpu: free[0], labels: { tier: "gold" } }),
  member("k8s-2", { freeCpu: free[1], labels: { tier: "silver" } }),
  member("k8s-3", { freeCpu: free[2], labels: { tier: "silver" } }),
];
/** Divided/Weighted, with static weights by member name when given. */
export const weighted = (list?: Array<[string[], number]>): ReplicaSchedulingStrategy => ({
  replicaSchedulingType: "Divided",
  replicaDivisionPreference: "Weighted",
  ...(list
    ? {
        weightPreference: {
          staticWeightList: list.map(([clusterNames, weight]) => ({
            targetCluster: { clusterNames },
            weight,
          })),
        },
      }
    : {}),
});
/** Divided/Weighted by available replicas. */
export const dynamic: ReplicaSchedulingStrategy = {
  replicaSchedulingType: "Divided",
  replicaDivisionPreference: "Weighted",
  weightPreference: { dynamicWeight: "AvailableReplicas" },
};
export const aggregated: ReplicaSchedulingStrategy = {
  replicaSchedulingType: "Divided",
  replicaDivisionPreference: "Aggregated",
};
