import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { MemberCluster, Placement, ResourceBinding, Taint } from "@atoll/api";
import { MemberTaints } from "@atoll/api";
import { member } from "../scheduler/test-members.ts";
import { decideScheduling } from "./scheduling-decision.ts";

const NOW = new Date("2025-01-01T00:10:00Z");
const DIVIDED: Placement = { replicaScheduling: { replicaSchedulingType: "Divided" } };

/** A binding at generation 2; `observed` is the generation its clusters were chosen for. */
function binding(
  placement: Placement,
  clusters?: Array<{ name: string; replicas: number }>,
  options: { replicas?: number; observed?: number } = {},
): ResourceBinding {
  return {
    metadata: { name: "web-deployment", namespace: "apps", generation: 2 },
    spec: {
      resource: { apiVersion: "apps/v1", kind: "Deployment", namespace: "apps", name: "web" },
      replicas: options.replicas ?? 4,
      placement,
      clusters,
    },
    status: { schedulerObservedGeneration: options.observed ?? 2 },
  };
}

function withReady(mc: MemberCluster, status: "True" | "Unknown"): MemberCluster {
  mc.status = {
    ...mc.status,
    conditions: [{ type: "Ready", status, reason: "", message: "", lastTransitionTime: "" }],
  };
  return mc;
}

const two = [member("k8s-1"), member("k8s-2")];
const split = [
  { name: "k8s-1", replicas: 2 },
  { name: "k8s-2", replicas: 2 },
];

describe("when a binding is scheduled", () => {
  test("when it has no clusters, or its spec changed since the last decision", () => {
    const unscheduled = decideScheduling(binding(DIVIDED), two, NOW);
    assert.equal(unscheduled.trigger, "Unscheduled");
    assert.ok("clusters" in unscheduled);
    assert.deepEqual(unscheduled.clusters, split);
    assert.equal(decideScheduling(binding(DIVIDED, split, { observed: 1 }), two, NOW).trigger, "SpecChanged");
  });

  test("divided: not when a member is added, only when a target is gone or unfit", () => {
    const three = [...two, member("k8s-3")];
    assert.deepEqual(decideScheduling(binding(DIVIDED, split), three, NOW), { trigger: undefined });
    const gone = decideScheduling(binding(DIVIDED, split), [member("k8s-1"), member("k8s-3")], NOW);
    assert.equal(gone.trigger, "TargetUnfit");
    assert.ok("clusters" in gone);
    assert.deepEqual(gone.clusters, [
      { name: "k8s-1", replicas: 2 },
      { name: "k8s-3", replicas: 2 },
    ]);
    const disabled = decideScheduling(
      binding(DIVIDED, split),
      [member("k8s-1"), member("k8s-2", { disabled: true })],
      NOW,
    );
    assert.equal(disabled.trigger, "TargetUnfit");
  });

  test("duplicated: whenever the set of fitting members changes", () => {
    const dup = binding({}, split);
    assert.deepEqual(decideScheduling(dup, two, NOW).trigger, "MembersChanged");
    const same = binding({}, [
      { name: "k8s-1", replicas: 4 },
      { name: "k8s-2", replicas: 4 },
    ]);
    assert.deepEqual(decideScheduling(same, two, NOW), { trigger: undefined });
    assert.equal(decideScheduling(same, [...two, member("k8s-3")], NOW).trigger, "MembersChanged");
  });

  test("a holder under an untolerated NoExecute taint keeps its share, for the taint manager to evict", () => {
    const outage: Taint = { key: "outage", effect: "NoExecute", timeAdded: "2025-01-01T00:00:00Z" };
    const tainted = [member("k8s-1", { taints: [outage] }), member("k8s-2"), member("k8s-3")];
    assert.deepEqual(decideScheduling(binding(DIVIDED, split), tainted, NOW), { trigger: undefined });
    // Scaling up gives it nothing new; a fresh decision would not place anything there.
    const scaled = decideScheduling(binding(DIVIDED, split, { observed: 1, replicas: 6 }), tainted, NOW);
    assert.ok("clusters" in scaled);
    assert.equal(scaled.clusters.find((c) => c.name === "k8s-1")?.replicas, 2);
    const fresh = decideScheduling(binding(DIVIDED), tainted, NOW);
    assert.ok("clusters" in fresh);
    assert.deepEqual(
      fresh.clusters.map((c) => c.name),
      ["k8s-2", "k8s-3"],
    );
  });

  test("a readiness taint the member has outgrown is ignored", () => {
    const stale: Taint = {
      key: MemberTaints.unreachable,
      effect: "NoExecute",
      timeAdded: "2025-01-01T00:00:00Z",
    };
    const back = [withReady(member("k8s-1", { taints: [stale] }), "True"), member("k8s-2")];
    const fresh = decideScheduling(binding(DIVIDED), back, NOW);
    assert.ok("clusters" in fresh);
    assert.deepEqual(fresh.clusters, split);
    const stillDown = [withReady(member("k8s-1", { taints: [stale] }), "Unknown"), member("k8s-2")];
    const away = decideScheduling(binding(DIVIDED), stillDown, NOW);
    assert.ok("clusters" in away);
    assert.deepEqual(away.clusters, [{ name: "k8s-2", replicas: 4 }]);
  });

  test("a toleration running out asks for another look then", () => {
    const flaky: Taint = { key: "flaky", effect: "NoExecute", timeAdded: "2025-01-01T00:09:00Z" };
    const placement: Placement = {
      clusterTolerations: [{ key: "flaky", operator: "Exists", tolerationSeconds: 120 }],
    };
    const dup = binding(placement, [
      { name: "k8s-1", replicas: 4 },
      { name: "k8s-2", replicas: 4 },
    ]);
    const decision = decideScheduling(dup, [member("k8s-1", { taints: [flaky] }), member("k8s-2")], NOW);
    assert.deepEqual(decision, { trigger: undefined, recheckAt: new Date("2025-01-01T00:11:00Z") });
  });
});
