import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ResourceHealth } from "@atoll/api";
import type { KubeObject } from "@atoll/kube";
import { resourceHealth } from "./health.ts";

type Case = {
  name: string;
  group: string;
  kind: string;
  object?: { generation?: number; spec?: Record<string, unknown>; status?: Record<string, unknown> };
  want: ResourceHealth;
};

const ready = (type: string, status = "True") => ({ conditions: [{ type, status }] });

const cases: Case[] = [
  { name: "a missing object", group: "apps", kind: "Deployment", want: "Unknown" },
  {
    name: "Deployment rolled out",
    group: "apps",
    kind: "Deployment",
    object: {
      generation: 2,
      spec: { replicas: 3 },
      status: { observedGeneration: 2, updatedReplicas: 3, availableReplicas: 3 },
    },
    want: "Healthy",
  },
  {
    name: "Deployment whose controller has not seen the latest spec",
    group: "apps",
    kind: "Deployment",
    object: {
      generation: 3,
      spec: { replicas: 3 },
      status: { observedGeneration: 2, updatedReplicas: 3, availableReplicas: 3 },
    },
    want: "Unhealthy",
  },
  {
    name: "Deployment with a replica unavailable",
    group: "apps",
    kind: "Deployment",
    object: {
      generation: 1,
      spec: { replicas: 3 },
      status: { observedGeneration: 1, updatedReplicas: 3, availableReplicas: 2 },
    },
    want: "Unhealthy",
  },
  {
    name: "Deployment without spec.replicas counts one",
    group: "apps",
    kind: "Deployment",
    object: { generation: 1, status: { observedGeneration: 1, updatedReplicas: 1, availableReplicas: 1 } },
    want: "Healthy",
  },
  {
    name: "Deployment scaled to zero",
    group: "apps",
    kind: "Deployment",
    object: { generation: 1, spec: { replicas: 0 }, status: { observedGeneration: 1 } },
    want: "Healthy",
  },
  {
    name: "Deployment not yet observed",
    group: "apps",
    kind: "Deployment",
    object: { generation: 1, spec: { replicas: 1 } },
    want: "Unhealthy",
  },
  {
    name: "StatefulSet ready and updated",
    group: "apps",
    kind: "StatefulSet",
    object: {
      generation: 1,
      spec: { replicas: 3 },
      status: { observedGeneration: 1, readyReplicas: 3, updatedReplicas: 3 },
    },
    want: "Healthy",
  },
  {
    name: "StatefulSet mid-update",
    group: "apps",
    kind: "StatefulSet",
    object: {
      generation: 2,
      spec: { replicas: 3 },
      status: { observedGeneration: 2, readyReplicas: 3, updatedReplicas: 1 },
    },
    want: "Unhealthy",
  },
  {
    name: "ReplicaSet ready",
    group: "apps",
    kind: "ReplicaSet",
    object: { spec: { replicas: 2 }, status: { readyReplicas: 2 } },
    want: "Healthy",
  },
  {
    name: "ReplicaSet short of ready replicas",
    group: "apps",
    kind: "ReplicaSet",
    object: { spec: { replicas: 2 }, status: { readyReplicas: 1 } },
    want: "Unhealthy",
  },
  {
    name: "DaemonSet ready on every node",
    group: "apps",
    kind: "DaemonSet",
    object: {
      generation: 1,
      status: { observedGeneration: 1, desiredNumberScheduled: 3, numberReady: 3, updatedNumberScheduled: 3 },
    },
    want: "Healthy",
  },
  {
    name: "DaemonSet with an old pod",
    group: "apps",
    kind: "DaemonSet",
    object: {
      generation: 1,
      status: { observedGeneration: 1, desiredNumberScheduled: 3, numberReady: 3, updatedNumberScheduled: 2 },
    },
    want: "Unhealthy",
  },
  {
    name: "Job complete",
    group: "batch",
    kind: "Job",
    object: { status: { ...ready("Complete"), succeeded: 1 } },
    want: "Healthy",
  },
  { name: "Job running", group: "batch", kind: "Job", object: { status: { active: 1 } }, want: "Healthy" },
  {
    name: "Job failed while a pod is still active",
    group: "batch",
    kind: "Job",
    object: { status: { ...ready("Failed"), active: 1 } },
    want: "Unhealthy",
  },
  { name: "Job not started", group: "batch", kind: "Job", object: { status: {} }, want: "Unhealthy" },
  { name: "Pod ready", group: "", kind: "Pod", object: { status: ready("Ready") }, want: "Healthy" },
  {
    name: "Pod not ready",
    group: "",
    kind: "Pod",
    object: { status: ready("Ready", "False") },
    want: "Unhealthy",
  },
  {
    name: "Pod succeeded",
    group: "",
    kind: "Pod",
    object: { status: { phase: "Succeeded", ...ready("Ready", "False") } },
    want: "Healthy",
  },
  {
    name: "PVC bound",
    group: "",
    kind: "PersistentVolumeClaim",
    object: { status: { phase: "Bound" } },
    want: "Healthy",
  },
  {
    name: "PVC pending",
    group: "",
    kind: "PersistentVolumeClaim",
    object: { status: { phase: "Pending" } },
    want: "Unhealthy",
  },
  { name: "ClusterIP Service", group: "", kind: "Service", object: { spec: {} }, want: "Healthy" },
  {
    name: "LoadBalancer Service with an address",
    group: "",
    kind: "Service",
    object: {
      spec: { type: "LoadBalancer" },
      status: { loadBalancer: { ingress: [{ ip: "127.1.255.1" }] } },
    },
    want: "Healthy",
  },
  {
    name: "LoadBalancer Service waiting for an address",
    group: "",
    kind: "Service",
    object: { spec: { type: "LoadBalancer" }, status: { loadBalancer: {} } },
    want: "Unhealthy",
  },
  { name: "a ConfigMap that exists", group: "", kind: "ConfigMap", object: {}, want: "Healthy" },
  {
    name: "a Deployment of another group is not interpreted",
    group: "example.com",
    kind: "Deployment",
    object: { spec: { replicas: 3 } },
    want: "Healthy",
  },
];

describe("resourceHealth", () => {
  for (const c of cases) {
    test(`${c.name}: ${c.want}`, () => {
      const object: KubeObject | undefined = c.object && {
        metadata: { name: "x", generation: c.object.generation },
        spec: c.object.spec,
        status: c.object.status,
      };
      assert.equal(resourceHealth({ group: c.group, kind: c.kind }, object), c.want);
    });
  }
});
