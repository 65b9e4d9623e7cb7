import assert from "node:assert/strict";
import { test } from "node:test";
import type { KubeObject } from "@atoll/kube";
import { isDivided, RETAIN_REPLICAS_LABEL, reviseReplicas } from "./replicas.ts";

const deployment = (labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "d", labels },
  spec: { replicas: 7 },
});

test("Divided is the default type once replicaScheduling is set; no replicaScheduling duplicates", () => {
  assert.equal(isDivided(undefined), false);
  assert.equal(isDivided({}), false);
  assert.equal(isDivided({ replicaScheduling: {} }), true);
  assert.equal(isDivided({ replicaScheduling: { replicaSchedulingType: "Duplicated" } }), false);
});

test("a member's share replaces spec.replicas (a Job's parallelism) only when Divided", () => {
  const divided = deployment();
  assert.equal(reviseReplicas(divided, { divided: true, share: 4 }), true);
  assert.equal((divided.spec as { replicas: number }).replicas, 4);
  const duplicated = deployment();
  assert.equal(reviseReplicas(duplicated, { divided: false, share: 4 }), false);
  assert.equal((duplicated.spec as { replicas: number }).replicas, 7);
  const job: KubeObject = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "j" },
    spec: { parallelism: 5 },
  };
  reviseReplicas(job, { divided: true, share: 2 });
  assert.deepEqual(job.spec, { parallelism: 2 });
  const configMap: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, spec: {} };
  assert.equal(reviseReplicas(configMap, { divided: true, share: 2 }), false);
});

test("the retain-replicas label leaves spec.replicas out entirely", () => {
  const retained = deployment({ [RETAIN_REPLICAS_LABEL]: "true" });
  assert.equal(reviseReplicas(retained, { divided: true, share: 4 }), true);
  assert.deepEqual(retained.spec, {});
});
