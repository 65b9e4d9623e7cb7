import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MemberCluster } from "@atoll/api";
import { eligibleMembers, parsePlacement, placementCandidates, placeReplicas } from "./placement.ts";

function member(name: string, spec: Partial<MemberCluster["spec"]> = {}, ready = "True"): MemberCluster {
  return {
    apiVersion: "cluster.atoll.io/v1alpha1",
    kind: "MemberCluster",
    metadata: { name },
    spec: { kubeconfig: { secretRef: { namespace: "kb-system", name: "members" } }, ...spec },
    status: {
      conditions: [
        { type: "Joined", status: "True", reason: "", message: "", lastTransitionTime: "" },
        { type: "Ready", status: ready, reason: "", message: "", lastTransitionTime: "" },
      ],
    },
  } as MemberCluster;
}

describe("instance placement", () => {
  it("admits only Ready, enabled, schedulable, untainted members", () => {
    const eligible = eligibleMembers([
      member("ok"),
      member("disabled", { disabled: true }),
      member("cordoned", { unschedulable: true }),
      member("tainted", { taints: [{ key: "x", effect: "NoSchedule" }] }),
      member("prefer", { taints: [{ key: "x", effect: "PreferNoSchedule" }] }),
      member("down", {}, "Unknown"),
    ]);
    assert.deepEqual([...eligible].sort(), ["ok", "prefer"]);
  });

  it("takes the annotation's members in order, else the eligible ones by name", () => {
    assert.deepEqual(placementCandidates(" k8s-2, k8s-1,,k8s-2", new Set()), ["k8s-2", "k8s-1"]);
    assert.deepEqual(placementCandidates(undefined, new Set(["k8s-3", "k8s-1"])), ["k8s-1", "k8s-3"]);
  });

  it("spreads ordinal % n, keeps recorded replicas and drops the highest ordinals", () => {
    const candidates = ["k8s-1", "k8s-2", "k8s-3"];
    const eligible = new Set(candidates);
    const first = placeReplicas({
      recorded: {},
      components: [{ name: "etcd", replicas: 3 }],
      candidates,
      eligible,
    });
    assert.deepEqual(first, { etcd: ["k8s-1", "k8s-2", "k8s-3"] });
    const moved = { etcd: ["k8s-3", "k8s-1", "k8s-2"] };
    const up = placeReplicas({
      recorded: moved,
      components: [{ name: "etcd", replicas: 4 }],
      candidates,
      eligible,
    });
    assert.deepEqual(up, { etcd: ["k8s-3", "k8s-1", "k8s-2", "k8s-1"] });
    const down = placeReplicas({
      recorded: up,
      components: [{ name: "etcd", replicas: 2 }],
      candidates,
      eligible,
    });
    assert.deepEqual(down, { etcd: ["k8s-3", "k8s-1"] });
  });

  it("never puts a new replica on an ineligible member, and leaves it unplaced when none may take it", () => {
    const candidates = ["k8s-1", "k8s-2", "k8s-3"];
    const placed = placeReplicas({
      recorded: { etcd: ["k8s-1"] },
      components: [{ name: "etcd", replicas: 3 }],
      candidates,
      eligible: new Set(["k8s-1", "k8s-3"]),
    });
    assert.deepEqual(placed, { etcd: ["k8s-1", "k8s-3", "k8s-3"] });
    const none = placeReplicas({
      recorded: {},
      components: [{ name: "etcd", replicas: 1 }],
      candidates,
      eligible: new Set(),
    });
    assert.deepEqual(none, { etcd: [""] });
  });

  it("reads back what it wrote and ignores garbage", () => {
    assert.deepEqual(parsePlacement(JSON.stringify({ etcd: ["k8s-1", ""] })), { etcd: ["k8s-1", ""] });
    assert.deepEqual(parsePlacement("{not json"), {});
    assert.deepEqual(parsePlacement("[1]"), {});
  });
});
