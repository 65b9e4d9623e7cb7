import assert from "node:assert/strict";
import { test } from "node:test";
import type { Work } from "@atoll/api";
import { aggregatedItems, fullyAppliedCondition } from "./aggregate.ts";

function work(applied: "True" | "False" | undefined, message = ""): Work {
  return {
    metadata: { name: "w", generation: 1 },
    spec: { workload: {} },
    status: {
      conditions: applied
        ? [
            {
              type: "Applied",
              status: applied,
              reason: "r",
              message,
              lastTransitionTime: "2024-01-01T00:00:00Z",
            },
          ]
        : [],
      manifestStatuses: [
        {
          identifier: { ordinal: 1, version: "v1", kind: "ConfigMap", resource: "configmaps", name: "c" },
          status: { ignored: true },
        },
        {
          identifier: { ordinal: 0, version: "v1", kind: "Deployment", resource: "deployments", name: "d" },
          status: { readyReplicas: 2 },
          health: "Healthy",
        },
      ],
    },
  };
}

test("one item per member, by name, with the template's own manifest status and why it is not applied", () => {
  const items = aggregatedItems([
    { member: "k8s-2", work: work("False", "admission webhook said no") },
    { member: "k8s-1", work: work("True") },
    { member: "k8s-3", work: work(undefined) },
  ]);
  assert.deepEqual(items, [
    { clusterName: "k8s-1", status: { readyReplicas: 2 }, applied: true, health: "Healthy" },
    {
      clusterName: "k8s-2",
      status: { readyReplicas: 2 },
      applied: false,
      appliedMessage: "admission webhook said no",
      health: "Healthy",
    },
    { clusterName: "k8s-3", status: { readyReplicas: 2 }, applied: false, health: "Healthy" },
  ]);
});

test("FullyApplied is True only when every target is applied, and names those that are not", () => {
  const items = aggregatedItems([
    { member: "k8s-1", work: work("True") },
    { member: "k8s-2", work: work("False", "quota exceeded") },
  ]);
  assert.equal(fullyAppliedCondition([], items), undefined);
  assert.deepEqual(fullyAppliedCondition(["k8s-1"], items)?.status, "True");
  assert.deepEqual(fullyAppliedCondition(["k8s-1", "k8s-2", "k8s-3"], items), {
    type: "FullyApplied",
    status: "False",
    reason: "FullyAppliedFailed",
    message: "not applied in k8s-2 (quota exceeded), k8s-3 (no Work yet)",
  });
});
