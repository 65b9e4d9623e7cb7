import assert from "node:assert/strict";
import { test } from "node:test";
import { addressPlan } from "../network/address-plan.ts";
import { type ClusterInfo, clusterInfoData, clusterInfoOf, parseClusterInfo } from "./cluster-info.ts";
import { MeshError } from "./mesh-error.ts";
import { meshProblems } from "./requirements.ts";

const member = (name: string, id: number): ClusterInfo => clusterInfoOf(name, addressPlan(id));

test("members with their own names, ids and address ranges meet the requirements", () => {
  assert.deepEqual(meshProblems([member("k8s-1", 1), member("k8s-2", 2), member("k8s-3", 200)]), []);
});

test("a duplicate name, a duplicate id and overlapping ranges are each reported once, naming both members", () => {
  const a = member("k8s-1", 7);
  const twin = { ...member("k8s-2", 7) };
  const problems = meshProblems([a, twin, member("k8s-1", 8)]);
  assert.deepEqual(
    problems.map((p) => p.reason),
    ["DuplicateClusterId", "OverlappingPodRange", "OverlappingServiceRange", "DuplicateName"],
  );
  assert.equal(
    problems[0].message,
    "k8s-1 and k8s-2 both have cluster id 7: cluster ids must be unique in a mesh",
  );
  assert.equal(
    problems[1].message,
    "pod ranges of k8s-1 and k8s-2 overlap (127.7.1.0-127.7.127.255 and 127.7.1.0-127.7.127.255)",
  );
  assert.match(problems[3].message, /two members are named k8s-1 \(ids 7 and 8\)/);
});

test("ranges that only touch do not overlap; ranges that share one address do", () => {
  const a = { ...member("a", 1), podRange: [100, 199] as const, serviceRange: [1000, 1099] as const };
  const b = { ...member("b", 2), podRange: [200, 299] as const, serviceRange: [1099, 1200] as const };
  assert.deepEqual(
    meshProblems([a, b]).map((p) => p.reason),
    ["OverlappingServiceRange"],
  );
});

test("cluster ids outside 1–255 and names Cilium refuses are invalid", () => {
  const problems = meshProblems([
    { ...member("ok", 1), id: 0 },
    { ...member("ok-2", 2), id: 256 },
    { ...member("x", 3), name: "Not_A_Label" },
    { ...member("x", 4), name: "a".repeat(33) },
  ]);
  assert.deepEqual(
    problems.map((p) => p.reason),
    ["InvalidClusterId", "InvalidClusterId", "InvalidName", "InvalidName"],
  );
  assert.match(problems[0].message, /member ok has cluster id 0: it must be from 1 to 255/);
});

test("a published identity reads back as written; a damaged one names the field", () => {
  const info = member("k8s-9", 9);
  assert.deepEqual(parseClusterInfo(clusterInfoData(info), "test"), info);
  assert.throws(
    () => parseClusterInfo({ ...clusterInfoData(info), "pod-range": "" }, "k8s-9's atoll-cluster-info"),
    (error: unknown) =>
      error instanceof MeshError &&
      error.reason === "InvalidClusterInfo" &&
      error.message === `k8s-9's atoll-cluster-info: missing "pod-range"`,
  );
  assert.throws(
    () => parseClusterInfo({ ...clusterInfoData(info), "service-range": "127.9.200.0-127.9.128.0" }, "x"),
    /bad "service-range".*start after end/,
  );
});
