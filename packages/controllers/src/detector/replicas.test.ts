import assert from "node:assert/strict";
import { test } from "node:test";
import type { KubeObject } from "@atoll/kube";
import { formatBytes, formatMilli, templateReplicaRequirements, templateReplicas } from "./replicas.ts";

const workload = (kind: string, spec: Record<string, unknown>): KubeObject => ({
  kind,
  metadata: { name: "w" },
  spec,
});
const pod = (...requests: Array<Record<string, string | number>>) => ({
  template: { spec: { containers: requests.map((r, i) => ({ name: `c${i}`, resources: { requests: r } })) } },
});

test("replicas by kind: spec.replicas, Job parallelism, 1 when unset, 0 for other kinds", () => {
  const rows: Array<[string, string, Record<string, unknown>, number]> = [
    ["apps", "Deployment", { replicas: 5 }, 5],
    ["apps", "Deployment", {}, 1],
    ["apps", "Deployment", { replicas: 0 }, 0],
    ["apps", "StatefulSet", { replicas: 3 }, 3],
    ["apps", "ReplicaSet", { replicas: 2 }, 2],
    ["batch", "Job", { parallelism: 4, completions: 8 }, 4],
    ["batch", "Job", {}, 1],
    ["apps", "DaemonSet", { replicas: 7 }, 0],
    ["", "ConfigMap", {}, 0],
    ["example.com", "Deployment", { replicas: 9 }, 0],
  ];
  for (const [group, kind, spec, expected] of rows) {
    assert.equal(
      templateReplicas(group, workload(kind, spec)),
      expected,
      `${group}/${kind} ${JSON.stringify(spec)}`,
    );
  }
});

test("replica requirements sum the containers' cpu and memory requests", () => {
  assert.deepEqual(
    templateReplicaRequirements(
      "apps",
      workload("Deployment", pod({ cpu: "100m", memory: "64Mi" }, { cpu: "250m", memory: "128Mi" })),
    ),
    { resourceRequest: { cpu: "350m", memory: "192Mi" } },
  );
  assert.deepEqual(
    templateReplicaRequirements(
      "apps",
      workload("Deployment", pod({ cpu: "500m" }, { cpu: 1, memory: "1G" }, { memory: "1G" })),
    ),
    { resourceRequest: { cpu: "1500m", memory: "2G" } },
  );
  assert.deepEqual(templateReplicaRequirements("batch", workload("Job", pod({ cpu: "2" }))), {
    resourceRequest: { cpu: "2" },
  });
  assert.equal(templateReplicaRequirements("apps", workload("Deployment", pod({}, {}))), undefined);
  assert.equal(templateReplicaRequirements("apps", workload("Deployment", {})), undefined);
  assert.equal(templateReplicaRequirements("apps", workload("DaemonSet", pod({ cpu: "1" }))), undefined);
});

test("quantities are printed as Kubernetes would", () => {
  assert.equal(formatMilli(350), "350m");
  assert.equal(formatMilli(3000), "3");
  assert.equal(formatBytes(192 * 2 ** 20), "192Mi");
  assert.equal(formatBytes(2e9), "2G");
  assert.equal(formatBytes(1000), "1k");
  assert.equal(formatBytes(1024), "1Ki");
  assert.equal(formatBytes(1234567), "1234567");
});
