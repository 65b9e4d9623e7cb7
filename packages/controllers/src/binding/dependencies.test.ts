import assert from "node:assert/strict";
import { test } from "node:test";
import type { KubeObject } from "@atoll/kube";
import { dependenciesOf } from "./dependencies.ts";

const podSpec = {
  serviceAccountName: "runner",
  imagePullSecrets: [{ name: "registry" }],
  volumes: [
    { name: "conf", configMap: { name: "web-conf" } },
    { name: "tls", secret: { secretName: "web-tls" } },
    { name: "data", persistentVolumeClaim: { claimName: "web-data" } },
    {
      name: "all",
      projected: { sources: [{ configMap: { name: "projected-cm" } }, { secret: { name: "projected-s" } }] },
    },
    { name: "scratch", emptyDir: {} },
  ],
  initContainers: [{ name: "init", envFrom: [{ configMapRef: { name: "init-env" } }] }],
  containers: [
    {
      name: "web",
      env: [
        { name: "A", valueFrom: { configMapKeyRef: { name: "web-conf", key: "a" } } },
        { name: "B", valueFrom: { secretKeyRef: { name: "db-password", key: "b" } } },
        { name: "C", value: "plain" },
      ],
      envFrom: [{ secretRef: { name: "web-env" } }],
    },
  ],
};

test("every ConfigMap, Secret, ServiceAccount and PVC a Deployment's pods name, once each, in a stable order", () => {
  const deployment: KubeObject = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "shop" },
    spec: { template: { spec: podSpec } },
  };
  assert.deepEqual(
    dependenciesOf(deployment).map((d) => `${d.kind}/${d.namespace}/${d.name}`),
    [
      "ConfigMap/shop/init-env",
      "ConfigMap/shop/projected-cm",
      "ConfigMap/shop/web-conf",
      "Secret/shop/db-password",
      "Secret/shop/projected-s",
      "Secret/shop/registry",
      "Secret/shop/web-env",
      "Secret/shop/web-tls",
      "ServiceAccount/shop/runner",
      "PersistentVolumeClaim/shop/web-data",
    ],
  );
});

test("a CronJob's and a Pod's pod specs are found; the default ServiceAccount and other kinds give none", () => {
  const cronJob: KubeObject = {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: "c", namespace: "ns" },
    spec: {
      jobTemplate: {
        spec: { template: { spec: { serviceAccountName: "default", volumes: podSpec.volumes.slice(0, 1) } } },
      },
    },
  };
  assert.deepEqual(dependenciesOf(cronJob), [{ kind: "ConfigMap", namespace: "ns", name: "web-conf" }]);
  const pod: KubeObject = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "ns" },
    spec: { serviceAccount: "legacy", containers: [] },
  };
  assert.deepEqual(dependenciesOf(pod), [{ kind: "ServiceAccount", namespace: "ns", name: "legacy" }]);
  const configMap: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "x", namespace: "ns" },
  };
  assert.deepEqual(dependenciesOf(configMap), []);
});
