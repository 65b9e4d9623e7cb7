import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Printer } from "../table.ts";
import { namespacePrinter, nodePrinter } from "./cluster.ts";
import { configMapPrinter, secretPrinter, serviceAccountPrinter } from "./config.ts";
import { leasePrinter } from "./coordination.ts";
import { eventPrinter, eventsV1Printer } from "./events.ts";
import { podDisruptionBudgetPrinter, priorityClassPrinter } from "./policy.ts";
import { clusterRoleBindingPrinter, roleBindingPrinter } from "./rbac.ts";

const now = new Date("2024-05-01T12:00:00Z");
const metadata = { name: "a", creationTimestamp: "2024-04-01T12:00:00Z" };
const cells = (printer: Printer, obj: object) => printer.print(obj, { now }).cells;

describe("nodes", () => {
  const node = {
    metadata: {
      name: "kind-control-plane",
      creationTimestamp: "2024-04-01T12:00:00Z",
      labels: {
        "node-role.kubernetes.io/control-plane": "",
        "node-role.kubernetes.io/": "",
        "kubernetes.io/role": "master",
        "kubernetes.io/os": "linux",
      },
    },
    spec: { unschedulable: true },
    status: {
      conditions: [
        { type: "MemoryPressure", status: "False" },
        { type: "Ready", status: "True" },
      ],
      addresses: [
        { type: "InternalIP", address: "172.18.0.2" },
        { type: "Hostname", address: "kind-control-plane" },
      ],
      nodeInfo: {
        kubeletVersion: "v1.30.0",
        osImage: "Debian GNU/Linux 12 (bookworm)",
        kernelVersion: "6.1.0-18-amd64",
        containerRuntimeVersion: "containerd://1.7.15",
      },
    },
  };

  test("a cordoned control-plane node", () => {
    assert.deepEqual(cells(nodePrinter, node), [
      "kind-control-plane",
      "Ready,SchedulingDisabled",
      "control-plane,master",
      "30d",
      "v1.30.0",
      "172.18.0.2",
      "<none>",
      "Debian GNU/Linux 12 (bookworm)",
      "6.1.0-18-amd64",
      "containerd://1.7.15",
    ]);
  });

  test("not ready, unknown, and no roles", () => {
    const notReady = { metadata, status: { conditions: [{ type: "Ready", status: "Unknown" }] } };
    assert.deepEqual(cells(nodePrinter, notReady), [
      "a",
      "NotReady",
      "<none>",
      "30d",
      "",
      "<none>",
      "<none>",
      "<unknown>",
      "<unknown>",
      "<unknown>",
    ]);
    assert.equal(cells(nodePrinter, { metadata })[1], "Unknown");
  });
});

test("namespaces", () => {
  assert.deepEqual(
    namespacePrinter.columns.map((c) => c.name),
    ["Name", "Status", "Age"],
  );
  assert.deepEqual(cells(namespacePrinter, { metadata, status: { phase: "Active" } }), [
    "a",
    "Active",
    "30d",
  ]);
  assert.deepEqual(cells(namespacePrinter, { metadata, status: { phase: "Terminating" } }), [
    "a",
    "Terminating",
    "30d",
  ]);
});

test("configmaps, secrets, serviceaccounts", () => {
  assert.deepEqual(
    cells(configMapPrinter, { metadata, data: { a: "1", b: "2" }, binaryData: { c: "AA==" } }),
    ["a", 3, "30d"],
  );
  assert.deepEqual(cells(configMapPrinter, { metadata }), ["a", 0, "30d"]);
  assert.deepEqual(
    secretPrinter.columns.map((c) => c.name),
    ["Name", "Type", "Data", "Age"],
  );
  assert.deepEqual(
    cells(secretPrinter, { metadata, type: "kubernetes.io/tls", data: { "tls.crt": "", "tls.key": "" } }),
    ["a", "kubernetes.io/tls", 2, "30d"],
  );
  assert.deepEqual(cells(serviceAccountPrinter, { metadata, secrets: [{ name: "a-token" }] }), [
    "a",
    1,
    "30d",
  ]);
  assert.deepEqual(cells(serviceAccountPrinter, { metadata }), ["a", 0, "30d"]);
});

describe("events", () => {
  test("columns: Last Seen, Type, Reason, Object, Message; the rest wide", () => {
    assert.deepEqual(
      eventPrinter.columns.map((c) => (c.priority ? `${c.name}*` : c.name)),
      [
        "Last Seen",
        "Type",
        "Reason",
        "Object",
        "Subobject*",
        "Source*",
        "Message",
        "First Seen*",
        "Count*",
        "Name*",
      ],
    );
  });

  test("a repeated core event", () => {
    const event = {
      metadata: { name: "web-1.17c9a2b3", namespace: "shop" },
      involvedObject: { kind: "Pod", name: "web-1", namespace: "shop", fieldPath: "spec.containers{app}" },
      reason: "BackOff",
      message: "Back-off restarting failed container app in pod web-1\n",
      source: { component: "kubelet", host: "kind-worker" },
      firstTimestamp: "2024-05-01T11:00:00Z",
      lastTimestamp: "2024-05-01T11:59:30Z",
      count: 14,
      type: "Warning",
    };
    assert.deepEqual(cells(eventPrinter, event), [
      "30s",
      "Warning",
      "BackOff",
      "pod/web-1",
      "spec.containers{app}",
      "kubelet, kind-worker",
      "Back-off restarting failed container app in pod web-1",
      "60m",
      14,
      "web-1.17c9a2b3",
    ]);
  });

  test("a new-style event with only eventTime, and a series", () => {
    const single = {
      metadata: { name: "e1" },
      involvedObject: { kind: "Node" },
      reason: "RegisteredNode",
      message: "Node registered",
      eventTime: "2024-05-01T11:58:00.123456Z",
      reportingComponent: "node-controller",
      type: "Normal",
    };
    assert.deepEqual(cells(eventPrinter, single), [
      "119s",
      "Normal",
      "RegisteredNode",
      "node",
      "",
      "node-controller",
      "Node registered",
      "119s",
      1,
      "e1",
    ]);
    const series = { ...single, series: { count: 7, lastObservedTime: "2024-05-01T11:59:50.000000Z" } };
    assert.deepEqual([cells(eventPrinter, series)[0], cells(eventPrinter, series)[8]], ["10s", 7]);
  });

  test("events.k8s.io events print through the same columns", () => {
    const event = {
      metadata: { name: "e2" },
      regarding: { kind: "Deployment", name: "web" },
      note: "Scaled up replica set web-7d4 to 3",
      reason: "ScalingReplicaSet",
      type: "Normal",
      eventTime: "2024-05-01T11:59:00.000000Z",
      reportingController: "deployment-controller",
      reportingInstance: "kcm-1",
    };
    assert.deepEqual(cells(eventsV1Printer, event), [
      "60s",
      "Normal",
      "ScalingReplicaSet",
      "deployment/web",
      "",
      "deployment-controller, kcm-1",
      "Scaled up replica set web-7d4 to 3",
      "60s",
      1,
      "e2",
    ]);
  });
});

test("role bindings", () => {
  const binding = {
    metadata: { ...metadata, name: "view-all" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
    subjects: [
      { kind: "User", name: "alice" },
      { kind: "Group", name: "devs" },
      { kind: "ServiceAccount", name: "ci", namespace: "build" },
      { kind: "User", name: "bob" },
    ],
  };
  const expected = ["view-all", "ClusterRole/view", "30d", "alice, bob", "devs", "build/ci"];
  assert.deepEqual(cells(roleBindingPrinter, binding), expected);
  assert.deepEqual(cells(clusterRoleBindingPrinter, binding), expected);
  assert.deepEqual(cells(roleBindingPrinter, { metadata, roleRef: { kind: "Role", name: "r" } }), [
    "a",
    "Role/r",
    "30d",
    "",
    "",
    "",
  ]);
  assert.deepEqual(
    roleBindingPrinter.columns.map((c) => [c.name, c.priority]),
    [
      ["Name", 0],
      ["Role", 0],
      ["Age", 0],
      ["Users", 1],
      ["Groups", 1],
      ["ServiceAccounts", 1],
    ],
  );
});

test("leases, disruption budgets and priority classes", () => {
  assert.deepEqual(cells(leasePrinter, { metadata, spec: { holderIdentity: "kind-worker" } }), [
    "a",
    "kind-worker",
    "30d",
  ]);
  assert.deepEqual(cells(leasePrinter, { metadata, spec: {} }), ["a", "", "30d"]);
  const pdb = { metadata, spec: { minAvailable: "50%" }, status: { disruptionsAllowed: 1 } };
  assert.deepEqual(cells(podDisruptionBudgetPrinter, pdb), ["a", "50%", "N/A", 1, "30d"]);
  assert.deepEqual(cells(podDisruptionBudgetPrinter, { metadata, spec: { maxUnavailable: 1 } }), [
    "a",
    "N/A",
    "1",
    0,
    "30d",
  ]);
  const pc = { metadata: { ...metadata, name: "system-node-critical" }, value: 2000001000 };
  assert.deepEqual(cells(priorityClassPrinter, pc), [
    "system-node-critical",
    2000001000,
    false,
    "30d",
    "PreemptLowerPriority",
  ]);
});
