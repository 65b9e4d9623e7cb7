import assert from "node:assert/strict";
import { test } from "node:test";
import type { MemberCluster, Taint } from "@atoll/api";
import { desiredTaints } from "./taints.ts";

const member = (taints: Taint[]): MemberCluster =>
  ({ metadata: { name: "k8s-1" }, spec: { taints } }) as MemberCluster;
const NOW = Date.parse("2026-11-22T10:00:00Z");
const ready = { status: "True", reason: "ClusterReady", message: "" } as const;

test("a user's NoExecute taint without timeAdded is stamped once; others are left as they are", () => {
  const first = desiredTaints(
    member([
      { key: "dedicated", value: "db", effect: "NoExecute" },
      { key: "maintenance", effect: "NoSchedule" },
    ]),
    ready,
    NOW,
    30_000,
  );
  assert.equal(first.changed, true);
  assert.deepEqual(first.taints, [
    { key: "dedicated", value: "db", effect: "NoExecute", timeAdded: "2026-11-22T10:00:00Z" },
    { key: "maintenance", effect: "NoSchedule" },
  ]);
  const again = desiredTaints(member(first.taints), ready, NOW + 5000, 30_000);
  assert.equal(again.changed, false);
  assert.deepEqual(again.taints, first.taints);
});
