import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { KubeObject } from "../../api/object.ts";
import { builtinDefaulter } from "./index.ts";

function defaulted(plural: string, spec: Record<string, unknown>): Record<string, unknown> {
  const object: KubeObject = { apiVersion: "apps/v1", metadata: { name: "web" }, spec };
  builtinDefaulter({ group: "apps", plural })?.(object);
  return object.spec as Record<string, unknown>;
}

const SELECTOR = { matchLabels: { app: "web" } };
const TEMPLATE = {
  metadata: { labels: { app: "web" } },
  spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
};
/** The template after defaulting: pod spec defaults, none of the Pod-only ones (enableServiceLinks). */
const DEFAULTED_TEMPLATE = {
  metadata: { labels: { app: "web" } },
  spec: {
    containers: [
      {
        name: "web",
        image: "nginx:1.27",
        imagePullPolicy: "IfNotPresent",
        terminationMessagePath: "/dev/termination-log",
        terminationMessagePolicy: "File",
      },
    ],
    dnsPolicy: "ClusterFirst",
    restartPolicy: "Always",
    schedulerName: "default-scheduler",
    securityContext: {},
    terminationGracePeriodSeconds: 30,
  },
};

describe("apps/v1 defaults", () => {
  test("Deployment", () => {
    assert.deepEqual(defaulted("deployments", { selector: SELECTOR, template: structuredClone(TEMPLATE) }), {
      selector: SELECTOR,
      template: DEFAULTED_TEMPLATE,
      replicas: 1,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    });
  });

  test("a Recreate Deployment gets no rollingUpdate", () => {
    const spec = defaulted("deployments", {
      strategy: { type: "Recreate" },
      template: structuredClone(TEMPLATE),
    });
    assert.deepEqual(spec.strategy, { type: "Recreate" });
  });

  test("ReplicaSet", () => {
    assert.deepEqual(defaulted("replicasets", { selector: SELECTOR, template: structuredClone(TEMPLATE) }), {
      selector: SELECTOR,
      template: DEFAULTED_TEMPLATE,
      replicas: 1,
    });
  });

  test("DaemonSet", () => {
    assert.deepEqual(defaulted("daemonsets", { selector: SELECTOR, template: structuredClone(TEMPLATE) }), {
      selector: SELECTOR,
      template: DEFAULTED_TEMPLATE,
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      revisionHistoryLimit: 10,
    });
  });

  test("StatefulSet, with its volume claim templates", () => {
    const claim = {
      metadata: { name: "data" },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
    };
    assert.deepEqual(
      defaulted("statefulsets", {
        serviceName: "web",
        selector: SELECTOR,
        template: structuredClone(TEMPLATE),
        volumeClaimTemplates: [claim],
      }),
      {
        serviceName: "web",
        selector: SELECTOR,
        template: DEFAULTED_TEMPLATE,
        volumeClaimTemplates: [
          { ...claim, spec: { ...claim.spec, volumeMode: "Filesystem" }, status: { phase: "Pending" } },
        ],
        replicas: 1,
        podManagementPolicy: "OrderedReady",
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
        revisionHistoryLimit: 10,
      },
    );
  });

  test("a StatefulSet that names RollingUpdate without rollingUpdate gets no partition, as in Kubernetes", () => {
    const spec = defaulted("statefulsets", {
      updateStrategy: { type: "RollingUpdate" },
      template: structuredClone(TEMPLATE),
    });
    assert.deepEqual(spec.updateStrategy, { type: "RollingUpdate" });
  });

  test("values the client set are kept", () => {
    const deployment = {
      replicas: 0,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      revisionHistoryLimit: 0,
      progressDeadlineSeconds: 60,
      template: DEFAULTED_TEMPLATE,
    };
    assert.deepEqual(defaulted("deployments", structuredClone(deployment)), deployment);
    const statefulSet = {
      replicas: 3,
      podManagementPolicy: "Parallel",
      updateStrategy: { type: "OnDelete" },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete", whenScaled: "Delete" },
      revisionHistoryLimit: 2,
      template: DEFAULTED_TEMPLATE,
    };
    assert.deepEqual(defaulted("statefulsets", structuredClone(statefulSet)), statefulSet);
    const daemonSet = {
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%", maxSurge: 0 } },
      revisionHistoryLimit: 1,
      template: DEFAULTED_TEMPLATE,
    };
    assert.deepEqual(defaulted("daemonsets", structuredClone(daemonSet)), daemonSet);
  });
});
