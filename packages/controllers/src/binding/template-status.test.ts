import assert from "node:assert/strict";
import { test } from "node:test";
import type { KubeObject } from "@atoll/kube";
import { type MemberStatus, templateStatusUpdate } from "./template-status.ts";

const NOW = new Date("2024-05-01T10:00:00Z");

function deployment(status?: Record<string, unknown>): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "shop", generation: 4 },
    spec: { replicas: 7 },
    ...(status ? { status } : {}),
  };
}

const members = (current: boolean): MemberStatus[] => [
  {
    member: "k8s-1",
    current,
    status: {
      observedGeneration: 2,
      replicas: 4,
      readyReplicas: 4,
      availableReplicas: 4,
      updatedReplicas: 4,
    },
  },
  {
    member: "k8s-2",
    current,
    status: {
      observedGeneration: 9,
      replicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      updatedReplicas: 3,
    },
  },
];

test("a Deployment's counters are summed, observedGeneration is the template's once every member is current", () => {
  const fields = templateStatusUpdate(deployment(), members(true), NOW);
  assert.deepEqual(fields, {
    replicas: 7,
    readyReplicas: 7,
    availableReplicas: 7,
    updatedReplicas: 7,
    unavailableReplicas: null,
    observedGeneration: 4,
    conditions: [
      {
        type: "Available",
        status: "True",
        reason: "MinimumReplicasAvailable",
        message: "Deployment has minimum availability.",
        lastTransitionTime: "2024-05-01T10:00:00Z",
      },
    ],
  });
});

test("observedGeneration waits for every member; Available is False below spec.replicas", () => {
  const short = members(false);
  short[1] = { member: "k8s-2", current: false, status: { replicas: 3, availableReplicas: 1 } };
  const fields = templateStatusUpdate(deployment(), short, NOW);
  assert.equal(fields?.observedGeneration, undefined);
  assert.equal(fields?.availableReplicas, 5);
  assert.equal((fields?.conditions as Array<{ status: string }> | undefined)?.[0]?.status, "False");
});

test("nothing to write when the template already shows the sums; the transition time is kept", () => {
  const first = templateStatusUpdate(deployment(), members(true), NOW) ?? {};
  const written = Object.fromEntries(Object.entries(first).filter(([, v]) => v !== null));
  const later = new Date(NOW.getTime() + 60_000);
  assert.equal(templateStatusUpdate(deployment(written), members(true), later), undefined);
});

test("a Job is Complete only when every member's Job is; a failure anywhere shows as Failed", () => {
  const job: KubeObject = { apiVersion: "batch/v1", kind: "Job", metadata: { name: "j" }, spec: {} };
  const done = { conditions: [{ type: "Complete", status: "True" }], succeeded: 2 };
  const running = { active: 1, succeeded: 1 };
  const partial = templateStatusUpdate(
    job,
    [
      { member: "k8s-1", current: true, status: done },
      { member: "k8s-2", current: true, status: running },
    ],
    NOW,
  );
  assert.deepEqual(partial, { active: 1, succeeded: 3, failed: null, conditions: [] });
  const complete = templateStatusUpdate(
    job,
    [
      { member: "k8s-1", current: true, status: done },
      { member: "k8s-2", current: true, status: { ...done, failed: 1 } },
    ],
    NOW,
  );
  assert.equal(complete?.succeeded, 4);
  assert.equal(complete?.failed, 1);
  assert.deepEqual(
    (complete?.conditions as Array<{ type: string }> | undefined)?.map((c) => c.type),
    ["Complete"],
  );
});

test("a LoadBalancer Service shows the union of its members' ingress points; a ClusterIP Service nothing", () => {
  const service = (type: string): KubeObject => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "s" },
    spec: { type },
  });
  const statuses: MemberStatus[] = [
    { member: "k8s-1", current: true, status: { loadBalancer: { ingress: [{ ip: "127.1.200.1" }] } } },
    {
      member: "k8s-2",
      current: true,
      status: { loadBalancer: { ingress: [{ ip: "127.2.200.1" }, { ip: "127.1.200.1" }] } },
    },
  ];
  assert.deepEqual(templateStatusUpdate(service("LoadBalancer"), statuses, NOW), {
    loadBalancer: { ingress: [{ ip: "127.1.200.1" }, { ip: "127.2.200.1" }] },
  });
  assert.equal(templateStatusUpdate(service("ClusterIP"), statuses, NOW), undefined);
});

test("DaemonSets, StatefulSets and ReplicaSets sum their own counters; other kinds are left alone", () => {
  const daemonSet: KubeObject = {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "d", generation: 1 },
  };
  const fields = templateStatusUpdate(
    daemonSet,
    [
      {
        member: "a",
        current: true,
        status: { desiredNumberScheduled: 3, numberReady: 3, currentNumberScheduled: 3 },
      },
      {
        member: "b",
        current: true,
        status: { desiredNumberScheduled: 2, numberReady: 1, currentNumberScheduled: 2 },
      },
    ],
    NOW,
  );
  assert.deepEqual(fields, {
    currentNumberScheduled: 5,
    desiredNumberScheduled: 5,
    numberReady: 4,
    numberMisscheduled: 0,
    numberAvailable: null,
    updatedNumberScheduled: null,
    observedGeneration: 1,
  });
  const statefulSet: KubeObject = { apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "s" } };
  assert.deepEqual(
    templateStatusUpdate(
      statefulSet,
      [{ member: "a", current: false, status: { replicas: 2, currentReplicas: 2 } }],
      NOW,
    ),
    {
      replicas: 2,
      readyReplicas: null,
      currentReplicas: 2,
      updatedReplicas: null,
      availableReplicas: null,
    },
  );
  const configMap: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } };
  assert.equal(templateStatusUpdate(configMap, [], NOW), undefined);
});
