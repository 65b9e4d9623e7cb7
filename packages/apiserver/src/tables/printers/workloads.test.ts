import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Printer } from "../table.ts";
import { daemonSetPrinter, deploymentPrinter, replicaSetPrinter, statefulSetPrinter } from "./apps.ts";
import { cronJobPrinter, jobPrinter } from "./batch.ts";
import { podTemplatePrinter, replicationControllerPrinter } from "./core-workloads.ts";

const now = new Date("2024-05-01T12:00:00Z");
const metadata = { name: "web", namespace: "shop", creationTimestamp: "2024-04-28T09:30:00Z" };
const template = {
  metadata: { labels: { app: "web" } },
  spec: {
    containers: [
      { name: "app", image: "ghcr.io/acme/web:2.1" },
      { name: "proxy", image: "envoyproxy/envoy:v1.30" },
    ],
  },
};
const names = (printer: Printer) => printer.columns.map((c) => (c.priority ? `${c.name}*` : c.name));
const cells = (printer: Printer, obj: object) => printer.print(obj, { now }).cells;

describe("apps printers", () => {
  test("deployments", () => {
    assert.deepEqual(names(deploymentPrinter), [
      "Name",
      "Ready",
      "Up-to-date",
      "Available",
      "Age",
      "Containers*",
      "Images*",
      "Selector*",
    ]);
    const deployment = {
      metadata,
      spec: {
        replicas: 3,
        selector: {
          matchLabels: { app: "web" },
          matchExpressions: [{ key: "track", operator: "NotIn", values: ["canary"] }],
        },
        template,
      },
      status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    };
    assert.deepEqual(cells(deploymentPrinter, deployment), [
      "web",
      "2/3",
      3,
      2,
      "3d2h",
      "app,proxy",
      "ghcr.io/acme/web:2.1,envoyproxy/envoy:v1.30",
      "app=web,track notin (canary)",
    ]);
    assert.deepEqual(cells(deploymentPrinter, { metadata, spec: { template } }).slice(1, 4), ["0/1", 0, 0]);
    const broken = { metadata, spec: { selector: { matchExpressions: [{ key: "a", operator: "Is" }] } } };
    assert.equal(cells(deploymentPrinter, broken)[7], "<invalid>");
  });

  test("replicasets", () => {
    assert.deepEqual(names(replicaSetPrinter), [
      "Name",
      "Desired",
      "Current",
      "Ready",
      "Age",
      "Containers*",
      "Images*",
      "Selector*",
    ]);
    const rs = {
      metadata: { ...metadata, name: "web-7d4b9c8f5" },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "web", "pod-template-hash": "7d4b9c8f5" } },
        template,
      },
      status: { replicas: 2, readyReplicas: 1 },
    };
    assert.deepEqual(cells(replicaSetPrinter, rs), [
      "web-7d4b9c8f5",
      2,
      2,
      1,
      "3d2h",
      "app,proxy",
      "ghcr.io/acme/web:2.1,envoyproxy/envoy:v1.30",
      "app=web,pod-template-hash=7d4b9c8f5",
    ]);
    assert.equal(cells(replicaSetPrinter, { metadata, spec: { replicas: 0, selector: {} } })[7], "<none>");
  });

  test("statefulsets", () => {
    assert.deepEqual(names(statefulSetPrinter), ["Name", "Ready", "Age", "Containers*", "Images*"]);
    const sts = {
      metadata: { ...metadata, name: "db" },
      spec: { replicas: 3, template },
      status: { readyReplicas: 3 },
    };
    assert.deepEqual(cells(statefulSetPrinter, sts), [
      "db",
      "3/3",
      "3d2h",
      "app,proxy",
      "ghcr.io/acme/web:2.1,envoyproxy/envoy:v1.30",
    ]);
  });

  test("daemonsets", () => {
    assert.deepEqual(names(daemonSetPrinter), [
      "Name",
      "Desired",
      "Current",
      "Ready",
      "Up-to-date",
      "Available",
      "Node Selector",
      "Age",
      "Containers*",
      "Images*",
      "Selector*",
    ]);
    const ds = {
      metadata: { ...metadata, name: "kube-proxy", namespace: "kube-system" },
      spec: {
        selector: { matchLabels: { "k8s-app": "kube-proxy" } },
        template: {
          spec: {
            nodeSelector: { "kubernetes.io/os": "linux" },
            containers: [{ name: "kube-proxy", image: "registry.k8s.io/kube-proxy:v1.30.0" }],
          },
        },
      },
      status: {
        desiredNumberScheduled: 3,
        currentNumberScheduled: 3,
        numberReady: 2,
        updatedNumberScheduled: 3,
        numberAvailable: 2,
      },
    };
    assert.deepEqual(cells(daemonSetPrinter, ds), [
      "kube-proxy",
      3,
      3,
      2,
      3,
      2,
      "kubernetes.io/os=linux",
      "3d2h",
      "kube-proxy",
      "registry.k8s.io/kube-proxy:v1.30.0",
      "k8s-app=kube-proxy",
    ]);
    assert.equal(cells(daemonSetPrinter, { metadata, spec: { template: { spec: {} } } })[6], "<none>");
  });
});

describe("batch printers", () => {
  const job = (spec: object, status: object, extra: object = {}) => ({
    metadata: { ...metadata, name: "backup", ...extra },
    spec: { selector: { matchLabels: { "batch.kubernetes.io/controller-uid": "6f1c" } }, template, ...spec },
    status,
  });

  test("jobs", () => {
    assert.deepEqual(names(jobPrinter), [
      "Name",
      "Status",
      "Completions",
      "Duration",
      "Age",
      "Containers*",
      "Images*",
      "Selector*",
    ]);
    const complete = job(
      { completions: 1 },
      {
        succeeded: 1,
        startTime: "2024-05-01T11:00:00Z",
        completionTime: "2024-05-01T11:02:30Z",
        conditions: [{ type: "Complete", status: "True" }],
      },
    );
    assert.deepEqual(cells(jobPrinter, complete), [
      "backup",
      "Complete",
      "1/1",
      "2m30s",
      "3d2h",
      "app,proxy",
      "ghcr.io/acme/web:2.1,envoyproxy/envoy:v1.30",
      "batch.kubernetes.io/controller-uid=6f1c",
    ]);
    const running = job(
      { completions: 5, parallelism: 2 },
      { succeeded: 2, startTime: "2024-05-01T11:59:15Z" },
    );
    assert.deepEqual(cells(jobPrinter, running).slice(1, 4), ["Running", "2/5", "45s"]);
    const workQueue = job({ parallelism: 3 }, {});
    assert.deepEqual(cells(jobPrinter, workQueue).slice(1, 4), ["Running", "0/1 of 3", ""]);
    assert.equal(cells(jobPrinter, job({}, {}))[2], "0/1");
    const failed = job(
      {},
      {
        conditions: [
          { type: "Complete", status: "False" },
          { type: "Failed", status: "True" },
        ],
      },
    );
    assert.equal(cells(jobPrinter, failed)[1], "Failed");
    assert.equal(
      cells(jobPrinter, job({}, {}, { deletionTimestamp: "2024-05-01T11:00:00Z" }))[1],
      "Terminating",
    );
    assert.equal(
      cells(jobPrinter, job({ suspend: true }, { conditions: [{ type: "Suspended", status: "True" }] }))[1],
      "Suspended",
    );
    assert.equal(
      cells(jobPrinter, job({}, { conditions: [{ type: "FailureTarget", status: "True" }] }))[1],
      "FailureTarget",
    );
  });

  test("cronjobs", () => {
    assert.deepEqual(names(cronJobPrinter), [
      "Name",
      "Schedule",
      "Timezone",
      "Suspend",
      "Active",
      "Last Schedule",
      "Age",
      "Containers*",
      "Images*",
      "Selector*",
    ]);
    const cronJob = {
      metadata: { ...metadata, name: "nightly" },
      spec: { schedule: "0 3 * * *", timeZone: "Europe/Paris", jobTemplate: { spec: { template } } },
      status: { active: [{ name: "nightly-28571234" }], lastScheduleTime: "2024-05-01T03:00:00Z" },
    };
    assert.deepEqual(cells(cronJobPrinter, cronJob), [
      "nightly",
      "0 3 * * *",
      "Europe/Paris",
      "False",
      1,
      "9h",
      "3d2h",
      "app,proxy",
      "ghcr.io/acme/web:2.1,envoyproxy/envoy:v1.30",
      "<none>",
    ]);
    const fresh = { metadata, spec: { schedule: "@hourly", suspend: true, jobTemplate: {} } };
    assert.deepEqual(cells(cronJobPrinter, fresh).slice(2, 6), ["<none>", "True", 0, "<none>"]);
  });
});

describe("core workload printers", () => {
  test("replicationcontrollers", () => {
    const rc = {
      metadata,
      spec: { replicas: 2, selector: { app: "web" }, template },
      status: { replicas: 2, readyReplicas: 2 },
    };
    assert.deepEqual(cells(replicationControllerPrinter, rc), [
      "web",
      2,
      2,
      2,
      "3d2h",
      "app,proxy",
      "ghcr.io/acme/web:2.1,envoyproxy/envoy:v1.30",
      "app=web",
    ]);
  });

  test("podtemplates", () => {
    assert.deepEqual(cells(podTemplatePrinter, { metadata, template }), [
      "web",
      "app,proxy",
      "ghcr.io/acme/web:2.1,envoyproxy/envoy:v1.30",
      "app=web",
    ]);
  });
});
