import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ClusterToleration, MemberCluster, ResourceBinding, Taint } from "@atoll/api";
import { member } from "../scheduler/test-members.ts";
import { fleetHealth } from "./fleet-disruption.ts";
import { evictionSpec, taintEvictionPlan } from "./taint-eviction.ts";

const NOW = new Date("2025-01-01T00:10:00Z");
const outage: Taint = { key: "outage", effect: "NoExecute", timeAdded: "2025-01-01T00:09:00Z" };

function binding(tolerations: ClusterToleration[] = []): ResourceBinding {
  return {
    metadata: { name: "web-deployment", namespace: "apps" },
    spec: {
      resource: { apiVersion: "apps/v1", kind: "Deployment", namespace: "apps", name: "web" },
      replicas: 4,
      placement: { clusterTolerations: tolerations },
      clusters: [
        { name: "k8s-1", replicas: 3 },
        { name: "k8s-2", replicas: 1 },
      ],
    },
  };
}

const members = (taints: Taint[]) =>
  new Map([
    ["k8s-1", member("k8s-1", { taints })],
    ["k8s-2", member("k8s-2")],
  ]);

const evicted = (b: ResourceBinding, taints: Taint[]) =>
  taintEvictionPlan(b, members(taints), NOW).evictions.map((e) => e.target.name);

describe("taint eviction", () => {
  test("an untolerated NoExecute taint evicts; NoSchedule and tolerated ones do not", () => {
    assert.deepEqual(evicted(binding(), [outage]), ["k8s-1"]);
    assert.deepEqual(evicted(binding(), [{ ...outage, effect: "NoSchedule" }]), []);
    assert.deepEqual(evicted(binding([{ key: "outage", operator: "Exists" }]), [outage]), []);
    assert.deepEqual(evicted(binding([{ key: "outage", value: "planned" }]), [outage]), ["k8s-1"]);
  });

  test("tolerationSeconds count from the taint's timeAdded; the plan says when to look again", () => {
    const for120 = binding([
      { key: "outage", operator: "Exists", effect: "NoExecute", tolerationSeconds: 120 },
    ]);
    const plan = taintEvictionPlan(for120, members([outage]), NOW);
    assert.deepEqual(plan.evictions, []);
    assert.deepEqual(plan.recheckAt, new Date("2025-01-01T00:11:00Z"));
    const for60 = binding([{ key: "outage", operator: "Exists", tolerationSeconds: 60 }]);
    assert.deepEqual(evicted(for60, [outage]), ["k8s-1"]);
  });

  test("the eviction drops the member and adds one task with its replicas, once", () => {
    const b = binding();
    const plan = taintEvictionPlan(b, members([outage]), NOW);
    const spec = evictionSpec(b, plan.evictions, { now: NOW, gracePeriodSeconds: 300 });
    assert.deepEqual(spec.clusters, [{ name: "k8s-2", replicas: 1 }]);
    assert.deepEqual(spec.gracefulEvictionTasks, [
      {
        fromCluster: "k8s-1",
        replicas: 3,
        reason: "TaintUntolerated",
        message: "taint outage:NoExecute is not tolerated",
        producer: "taint-manager",
        gracePeriodSeconds: 300,
        creationTimestamp: "2025-01-01T00:10:00Z",
      },
    ]);
    const again = evictionSpec(
      { ...b, spec: { ...b.spec, ...spec, clusters: b.spec.clusters } },
      plan.evictions,
      {
        now: NOW,
        gracePeriodSeconds: 300,
      },
    );
    assert.equal(again.gracefulEvictionTasks.length, 1);
  });

  test("evictions pause when more than the threshold of counted members is not Ready", () => {
    const withReady = (
      name: string,
      status: "True" | "False" | "Unknown",
      disabled = false,
    ): MemberCluster => {
      const mc = member(name, { disabled });
      mc.status = {
        conditions: [{ type: "Ready", status, reason: "", message: "", lastTransitionTime: "" }],
      };
      return mc;
    };
    const fleet = [
      withReady("a", "True"),
      withReady("b", "False"),
      withReady("c", "Unknown"),
      withReady("d", "True"),
    ];
    assert.deepEqual(fleetHealth(fleet, 0.55), { unhealthy: 2, counted: 4, paused: false });
    assert.deepEqual(fleetHealth([...fleet, withReady("e", "Unknown")], 0.55), {
      unhealthy: 3,
      counted: 5,
      paused: true,
    });
    assert.deepEqual(fleetHealth([...fleet, withReady("e", "Unknown", true)], 0.55), {
      unhealthy: 2,
      counted: 4,
      paused: false,
    });
    assert.deepEqual(fleetHealth([], 0.55), { unhealthy: 0, counted: 0, paused: false });
  });
});
