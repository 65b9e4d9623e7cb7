import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Placement, SpreadConstraint } from "./placement-types.ts";
import { failed, placed } from "./replica-cases.ts";
import { schedule } from "./schedule.ts";
import type { FitError, ScheduleInput, ScheduleResult } from "./schedule-types.ts";
import { input, member } from "./test-members.ts";

/** eu has the most room, then ap, then us; ap's two members share a zone. */
const world = () => [
  member("k8s-1", { region: "eu", zone: "eu-1", provider: "aws", freeCpu: 10, labels: { rack: "r1" } }),
  member("k8s-2", { region: "eu", zone: "eu-2", provider: "aws", freeCpu: 10, labels: { rack: "r2" } }),
  member("k8s-3", { region: "us", zone: "us-1", provider: "gcp", freeCpu: 4, labels: { rack: "r1" } }),
  member("k8s-4", { region: "us", zone: "us-2", provider: "gcp", freeCpu: 4, labels: { rack: "r2" } }),
  member("k8s-5", { region: "ap", zone: "ap-1", provider: "azure", freeCpu: 8, labels: { rack: "r1" } }),
  member("k8s-6", { region: "ap", zone: "ap-1", provider: "azure", freeCpu: 8, labels: { rack: "r3" } }),
];
const spread = (
  constraints: SpreadConstraint[],
  extra: Partial<ScheduleInput> = {},
  placement: Placement = {},
) =>
  schedule(
    input(world(), {
      replicas: 2,
      replicaRequirements: { cpu: "1" },
      placement: { spreadConstraints: constraints, ...placement },
      ...extra,
    }),
  );
const dynamic: Placement = {
  replicaScheduling: {
    replicaSchedulingType: "Divided",
    replicaDivisionPreference: "Weighted",
    weightPreference: { dynamicWeight: "AvailableReplicas" },
  },
};

describe("spread constraints", () => {
  const cases: Array<{ name: string; result: () => ScheduleResult; want: Record<string, number> }> = [
    {
      name: "region min 2 max 2: the two roomiest regions, all their members",
      result: () => spread([{ spreadByField: "region", minGroups: 2, maxGroups: 2 }]),
      want: { "k8s-1": 2, "k8s-2": 2, "k8s-5": 2, "k8s-6": 2 },
    },
    {
      name: "region min 2 max 2 with cluster max 2: the best member of each region",
      result: () =>
        spread([
          { spreadByField: "region", minGroups: 2, maxGroups: 2 },
          { spreadByField: "cluster", minGroups: 2, maxGroups: 2 },
        ]),
      want: { "k8s-1": 2, "k8s-5": 2 },
    },
    {
      name: "region min 3: every region",
      result: () =>
        spread([
          { spreadByField: "region", minGroups: 3, maxGroups: 3 },
          { spreadByField: "cluster", maxGroups: 3 },
        ]),
      want: { "k8s-1": 2, "k8s-3": 2, "k8s-5": 2 },
    },
    {
      name: "region: cluster minGroups 3 needs a second region",
      result: () =>
        spread([
          { spreadByField: "region", minGroups: 1, maxGroups: 3 },
          { spreadByField: "cluster", minGroups: 3, maxGroups: 3 },
        ]),
      want: { "k8s-1": 2, "k8s-2": 2, "k8s-5": 2 },
    },
    {
      name: "zone min 4 with cluster max 4: one member per zone",
      result: () =>
        spread([
          { spreadByField: "zone", minGroups: 4, maxGroups: 4 },
          { spreadByField: "cluster", maxGroups: 4 },
        ]),
      want: { "k8s-1": 2, "k8s-2": 2, "k8s-3": 2, "k8s-5": 2 },
    },
    {
      name: "provider max 1",
      result: () => spread([{ spreadByField: "provider", maxGroups: 1 }]),
      want: { "k8s-1": 2, "k8s-2": 2 },
    },
    {
      name: "by label: two racks, one member each",
      result: () =>
        spread([
          { spreadByLabel: "rack", minGroups: 2, maxGroups: 2 },
          { spreadByField: "cluster", maxGroups: 2 },
        ]),
      want: { "k8s-1": 2, "k8s-2": 2 },
    },
    {
      name: "cluster max 3, Duplicated: the three best members",
      result: () => spread([{ spreadByField: "cluster", maxGroups: 3 }]),
      want: { "k8s-1": 2, "k8s-2": 2, "k8s-5": 2 },
    },
    {
      name: "cluster min 2 max 3, divided: as few as hold the replicas",
      result: () =>
        spread([{ spreadByField: "cluster", minGroups: 2, maxGroups: 3 }], { replicas: 12 }, dynamic),
      want: { "k8s-1": 6, "k8s-2": 6 },
    },
    {
      name: "cluster min 1 max 3, divided: a third member when two are too small",
      result: () =>
        spread([{ spreadByField: "cluster", minGroups: 1, maxGroups: 3 }], { replicas: 24 }, dynamic),
      // 24 over 10:10:8 → 8.57/8.57/6.86: leftovers to k8s-5 (.86), then k8s-1 (by name)
      want: { "k8s-1": 9, "k8s-2": 8, "k8s-5": 7 },
    },
    {
      name: "members already holding the binding are kept (stability)",
      result: () =>
        spread([{ spreadByField: "cluster", maxGroups: 2 }], {
          previous: [
            { name: "k8s-3", replicas: 2 },
            { name: "k8s-4", replicas: 2 },
          ],
        }),
      want: { "k8s-3": 2, "k8s-4": 2 },
    },
    {
      name: "divided: every holder is kept even when fewer members would hold the replicas",
      result: () =>
        spread(
          [{ spreadByField: "cluster", maxGroups: 3 }],
          {
            replicas: 6,
            previous: [
              { name: "k8s-3", replicas: 3 },
              { name: "k8s-4", replicas: 3 },
            ],
          },
          dynamic,
        ),
      want: { "k8s-3": 3, "k8s-4": 3 },
    },
    {
      name: "region: regions holding the binding are kept",
      result: () =>
        spread([{ spreadByField: "region", maxGroups: 2 }], {
          previous: [
            { name: "k8s-3", replicas: 2 },
            { name: "k8s-5", replicas: 2 },
          ],
        }),
      want: { "k8s-3": 2, "k8s-4": 2, "k8s-5": 2, "k8s-6": 2 },
    },
    {
      name: "static weights ignore spread constraints, as Karmada",
      result: () =>
        spread(
          [{ spreadByField: "cluster", maxGroups: 1 }],
          { replicas: 6 },
          {
            replicaScheduling: { replicaSchedulingType: "Divided" },
          },
        ),
      want: { "k8s-1": 1, "k8s-2": 1, "k8s-3": 1, "k8s-4": 1, "k8s-5": 1, "k8s-6": 1 },
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(placed(c.result()), c.want));

  const errors: Array<{
    name: string;
    result: () => ScheduleResult;
    reason: FitError["reason"];
    message: string;
  }> = [
    {
      name: "region minGroups cannot be met",
      result: () => spread([{ spreadByField: "region", minGroups: 4 }]),
      reason: "SpreadConstraintUnsatisfied",
      message:
        "0/6 clusters are available: the number of feasible regions (3) is less than spreadConstraint.MinGroups (4).",
    },
    {
      name: "cluster minGroups cannot be met",
      result: () => spread([{ spreadByField: "cluster", minGroups: 7 }]),
      reason: "SpreadConstraintUnsatisfied",
      message:
        "0/6 clusters are available: the number of feasible clusters (6) is less than spreadConstraint.MinGroups (7).",
    },
    {
      name: "region maxGroups too few for cluster minGroups",
      result: () =>
        spread([
          { spreadByField: "region", maxGroups: 1 },
          { spreadByField: "cluster", minGroups: 3 },
        ]),
      reason: "SpreadConstraintUnsatisfied",
      message:
        "0/6 clusters are available: the feasible regions cannot provide the 3 clusters the cluster spreadConstraint.MinGroups asks for within spreadConstraint.MaxGroups (1).",
    },
    {
      name: "cluster maxGroups too few for the replicas",
      result: () => spread([{ spreadByField: "cluster", maxGroups: 2 }], { replicas: 25 }, dynamic),
      reason: "InsufficientCapacity",
      message:
        "0/6 clusters are available: the feasible clusters can hold at most 20 of 25 replicas within spreadConstraint.MaxGroups (2).",
    },
    {
      name: "rejected members and a spread failure together",
      result: () =>
        schedule(
          input(
            [
              member("k8s-1", { region: "eu" }),
              member("k8s-2", { region: "eu" }),
              member("k8s-3"),
              member("k8s-4", { region: "us", disabled: true }),
            ],
            {
              placement: { spreadConstraints: [{ spreadByField: "region", minGroups: 2 }] },
            },
          ),
        ),
      reason: "SpreadConstraintUnsatisfied",
      message:
        "0/4 clusters are available: 1 cluster(s) did not have region property, 1 cluster: cluster is disabled. the number of feasible regions (1) is less than spreadConstraint.MinGroups (2).",
    },
    {
      name: "maxGroups below minGroups",
      result: () => spread([{ spreadByField: "cluster", minGroups: 3, maxGroups: 2 }]),
      reason: "InvalidPlacement",
      message: "0/6 clusters are available: spreadConstraint.MaxGroups (2) is less than MinGroups (3).",
    },
  ];
  for (const c of errors) {
    test(`fit error: ${c.name}`, () => {
      const error = failed(c.result());
      assert.equal(error.reason, c.reason);
      assert.equal(error.message, c.message);
    });
  }
});
