import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { KubeObject } from "@atoll/kube";
import { assertInvalid, startTestHub, type TestHub } from "../policy/test-hub.fixture.ts";
import {
  BindingConditions,
  CLUSTER_RESOURCE_BINDINGS,
  RESOURCE_BINDINGS,
  type ResourceBinding,
  ScheduledReasons,
} from "./resource-binding.ts";

const apiVersion = `${RESOURCE_BINDINGS.group}/${RESOURCE_BINDINGS.version}`;

function binding(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion, kind: "ResourceBinding", metadata: { name, namespace: "default" }, spec };
}

const resource = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  namespace: "default",
  name: "nginx",
  uid: "4f1c",
};

describe("ResourceBinding and ClusterResourceBinding CRDs", () => {
  let hub: TestHub;
  const create = (object: KubeObject) => hub.client.create(RESOURCE_BINDINGS, "default", object);
  before(async () => {
    hub = await startTestHub();
  });
  after(async () => {
    await hub.stop();
  });

  test("a scheduled binding is accepted, defaulted, and takes status through the subresource", async () => {
    const created = (await create(
      binding("nginx-deployment", {
        resource,
        replicas: 5,
        replicaRequirements: { resourceRequest: { cpu: "250m", memory: "64Mi" } },
        clusters: [
          { name: "member1", replicas: 3 },
          { name: "member2", replicas: 2 },
        ],
        placement: {
          clusterAffinity: { clusterNames: ["member1", "member2"] },
          replicaScheduling: { replicaSchedulingType: "Divided", replicaDivisionPreference: "Aggregated" },
        },
        propagateDeps: true,
        gracefulEvictionTasks: [
          {
            fromCluster: "member3",
            replicas: 2,
            reason: "TaintUntolerated",
            producer: "atoll-taint-manager",
            gracePeriodSeconds: 600,
            creationTimestamp: "2025-01-01T00:00:00Z",
          },
        ],
      }),
    )) as ResourceBinding;
    assert.equal(created.spec.conflictResolution, "Abort");
    assert.equal(created.status, undefined);

    const status = {
      schedulerObservedGeneration: created.metadata.generation,
      lastScheduledTime: "2025-01-01T00:00:01Z",
      conditions: [
        {
          type: BindingConditions.Scheduled,
          status: "True",
          reason: ScheduledReasons.Success,
          message: "member1: 3, member2: 2",
          lastTransitionTime: "2025-01-01T00:00:01Z",
        },
        {
          type: BindingConditions.FullyApplied,
          status: "False",
          reason: "FullyAppliedFailed",
          message: "member2: conflict",
          lastTransitionTime: "2025-01-01T00:00:02Z",
        },
      ],
      aggregatedStatus: [
        {
          clusterName: "member1",
          applied: true,
          health: "Healthy",
          status: { replicas: 3, readyReplicas: 3, conditions: [{ type: "Available", status: "True" }] },
        },
        {
          clusterName: "member2",
          applied: false,
          appliedMessage: 'deployments.apps "nginx" exists',
          health: "Unknown",
        },
      ],
    };
    const updated = (await hub.client.update(
      RESOURCE_BINDINGS,
      "default",
      { ...created, status },
      { subresource: "status" },
    )) as ResourceBinding;
    assert.deepEqual(updated.status, status);

    const table = await hub.kubectl(["get", "rb", "-n", "default", "-o", "wide"]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(
      table.stdout,
      /^NAME\s+SCHEDULED\s+FULLYAPPLIED\s+AGE\s+KIND\s+RESOURCE\s+REPLICAS\nnginx-deployment\s+True\s+False\s+\d+s\s+Deployment\s+nginx\s+5\n$/,
    );
  });

  test("a cluster-scoped binding for a cluster-scoped template", async () => {
    const created = await hub.client.create(CLUSTER_RESOURCE_BINDINGS, undefined, {
      apiVersion,
      kind: "ClusterResourceBinding",
      metadata: { name: "backups-customresourcedefinition" },
      spec: {
        resource: {
          apiVersion: "apiextensions.k8s.io/v1",
          kind: "CustomResourceDefinition",
          name: "backups.example.com",
        },
        clusters: [{ name: "member1" }, { name: "member2" }],
        conflictResolution: "Overwrite",
      },
    });
    assert.equal(created.metadata.namespace, undefined);
    const table = await hub.kubectl(["get", "crb"]);
    assert.match(
      table.stdout,
      /^NAME\s+SCHEDULED\s+FULLYAPPLIED\s+AGE\nbackups-customresourcedefinition\s+\s+\d+s\n$/,
    );
  });

  test("wrong enums, types and shapes are rejected with the fields named", async () => {
    await assertInvalid(create(binding("no-resource", { replicas: 1 })), ["spec.resource"]);
    await assertInvalid(
      create(
        binding("bad-fields", {
          resource: { kind: "Deployment" },
          replicas: "two",
          conflictResolution: "Merge",
        }),
      ),
      ["spec.resource.apiVersion", "spec.resource.name", "spec.replicas", "spec.conflictResolution"],
    );
    await assertInvalid(
      create(
        binding("dup-clusters", {
          resource,
          clusters: [{ name: "member1" }, { name: "member1", replicas: 1 }],
        }),
      ),
      ["spec.clusters[1]"],
    );
    await assertInvalid(
      create(
        binding("bad-eviction", {
          resource,
          gracefulEvictionTasks: [{ fromCluster: "member1", reason: "not camel case", producer: "x" }],
        }),
      ),
      ["spec.gracefulEvictionTasks[0].reason"],
    );
    await assertInvalid(
      create(binding("bad-request", { resource, replicaRequirements: { resourceRequest: { cpu: "lots" } } })),
      ["spec.replicaRequirements.resourceRequest.cpu"],
    );
  });

  test("status is validated too", async () => {
    const created = await create(binding("status-checks", { resource }));
    await assertInvalid(
      hub.client.update(
        RESOURCE_BINDINGS,
        "default",
        {
          ...created,
          status: {
            conditions: [{ type: "Scheduled", status: "Maybe" }],
            aggregatedStatus: [{ clusterName: "member1", health: "Fine", applied: "yes" }],
          },
        },
        { subresource: "status" },
      ),
      [
        "status.conditions[0].status",
        "status.aggregatedStatus[0].health",
        "status.aggregatedStatus[0].applied",
      ],
    );
  });
});
