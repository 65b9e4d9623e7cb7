import assert from "node:assert/strict";
import { test } from "node:test";
import { R } from "@atoll/kube";
import { startFleet } from "./fleet.fixture.ts";

test("the test fleet starts a hub with three Ready members and stops without leftovers", async () => {
  const fleet = await startFleet({
    ids: [141, 142, 143],
    memberSpec: (i) => ({ region: i < 2 ? "east" : "west", labels: { tier: `t${i}` } }),
  });
  try {
    assert.deepEqual(
      fleet.members.map((m) => m.name),
      ["k8s-1", "k8s-2", "k8s-3"],
    );
    const nodes = await fleet.member("k8s-2").client.list(R.nodes);
    assert.equal(nodes.items.length, 3);
    const result = await fleet.kubectl(["get", "memberclusters", "-o", "name"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim().split("\n").length, 3);
  } finally {
    await fleet.stop();
  }
});
