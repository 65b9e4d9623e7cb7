import assert from "node:assert/strict";
import { test } from "node:test";
import { PropagationAnnotations, PropagationLabels } from "@atoll/api";
import type { KubeObject } from "@atoll/kube";
import { cleanManifest } from "./clean.ts";

test("server-set metadata, status and Atoll's claim marks are removed; the user's labels and annotations stay", () => {
  const template: KubeObject = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "web",
      namespace: "shop",
      uid: "u-1",
      resourceVersion: "42",
      generation: 3,
      creationTimestamp: "2024-01-01T00:00:00Z",
      managedFields: [{ manager: "kubectl" }],
      ownerReferences: [{ apiVersion: "v1", kind: "X", name: "x", uid: "u" }],
      finalizers: ["policy.atoll.io/propagation"],
      deletionTimestamp: "2024-01-02T00:00:00Z",
      deletionGracePeriodSeconds: 0,
      selfLink: "/apis/apps/v1/namespaces/shop/deployments/web",
      labels: { app: "web", [PropagationLabels.propagationPolicyId]: "p-1" },
      annotations: {
        note: "keep",
        "kubectl.kubernetes.io/last-applied-configuration": "{}",
        [PropagationAnnotations.propagationPolicyName]: "pp",
      },
    },
    spec: { replicas: 3 },
    status: { readyReplicas: 3 },
  };
  const clean = cleanManifest(template);
  assert.deepEqual(clean, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "shop", labels: { app: "web" }, annotations: { note: "keep" } },
    spec: { replicas: 3 },
  });
  assert.equal(template.metadata.uid, "u-1", "the template itself is untouched");
  assert.deepEqual(template.status, { readyReplicas: 3 });
});

test("empty label and annotation maps disappear once the claim marks are gone", () => {
  const clean = cleanManifest({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "c", labels: { [PropagationLabels.resourceBindingId]: "x" }, annotations: {} },
    data: { a: "1" },
  });
  assert.deepEqual(clean, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "1" } });
});

test("a Service loses the hub's cluster IPs and health-check port; a headless one stays headless", () => {
  const service = (clusterIP: string): KubeObject => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "s" },
    spec: {
      type: "LoadBalancer",
      clusterIP,
      clusterIPs: [clusterIP],
      healthCheckNodePort: 31000,
      ports: [{ port: 80 }],
    },
  });
  assert.deepEqual(cleanManifest(service("10.0.0.7")).spec, { type: "LoadBalancer", ports: [{ port: 80 }] });
  assert.deepEqual(cleanManifest(service("None")).spec, {
    type: "LoadBalancer",
    clusterIP: "None",
    clusterIPs: ["None"],
    ports: [{ port: 80 }],
  });
});

test("a Job loses the generated selector and pod-template labels, unless its selector is manual", () => {
  const job = (manualSelector: boolean): KubeObject => ({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "j" },
    spec: {
      manualSelector,
      selector: { matchLabels: { "batch.kubernetes.io/controller-uid": "u" } },
      template: {
        metadata: {
          labels: {
            app: "j",
            "batch.kubernetes.io/controller-uid": "u",
            "batch.kubernetes.io/job-name": "j",
            "controller-uid": "u",
            "job-name": "j",
          },
        },
        spec: { containers: [] },
      },
    },
  });
  assert.deepEqual(cleanManifest(job(false)).spec, {
    manualSelector: false,
    template: { metadata: { labels: { app: "j" } }, spec: { containers: [] } },
  });
  assert.deepEqual(cleanManifest(job(true)).spec, job(true).spec);
});

test("a PVC loses its bound volume, a Pod its node, a ServiceAccount its token Secrets", () => {
  const pvc = cleanManifest({
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: "data" },
    spec: { volumeName: "pv-1", resources: { requests: { storage: "1Gi" } } },
    status: { phase: "Bound" },
  });
  assert.deepEqual(pvc.spec, { resources: { requests: { storage: "1Gi" } } });
  const pod = cleanManifest({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p" },
    spec: { nodeName: "n1" },
  });
  assert.deepEqual(pod.spec, {});
  const account = cleanManifest({
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: "sa" },
    secrets: [{ name: "sa-token" }],
    imagePullSecrets: [{ name: "pull" }],
  });
  assert.deepEqual(account, {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: "sa" },
    imagePullSecrets: [{ name: "pull" }],
  });
});
