import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestHub, type TestHub } from "./test-hub.fixture.ts";

describe("policyCrds", () => {
  let hub: TestHub;
  before(async () => {
    hub = await startTestHub();
  });
  after(async () => {
    await hub.stop();
  });

  test("installs every propagation kind, with short names, in category atoll", async () => {
    const result = await hub.kubectl(["api-resources", "--categories", "atoll", "--no-headers"]);
    assert.equal(result.code, 0, result.stderr);
    const rows = result.stdout
      .trim()
      .split("\n")
      .map((line) => line.split(/\s+/).join(" "))
      .sort();
    assert.deepEqual(rows, [
      "clusteroverridepolicies cop policy.atoll.io/v1alpha1 false ClusterOverridePolicy",
      "clusterpropagationpolicies cpp policy.atoll.io/v1alpha1 false ClusterPropagationPolicy",
      "clusterresourcebindings crb work.atoll.io/v1alpha1 false ClusterResourceBinding",
      "overridepolicies op policy.atoll.io/v1alpha1 true OverridePolicy",
      "propagationpolicies pp policy.atoll.io/v1alpha1 true PropagationPolicy",
      "resourcebindings rb work.atoll.io/v1alpha1 true ResourceBinding",
      "works work work.atoll.io/v1alpha1 true Work",
    ]);
  });

  test("kubectl get atoll lists objects of every kind in the category", async () => {
    const result = await hub.kubectl(["get", "atoll", "-A"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /No resources found/);
  });
});
