import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { KubeObject } from "../../api/object.ts";
import { builtinResourceTypes } from "../../resources/builtin.ts";
import { builtinDefaulter } from "./index.ts";

function defaulted(group: string, plural: string, body: Record<string, unknown>): KubeObject {
  const object: KubeObject = { metadata: { name: "x" }, ...structuredClone(body) };
  builtinDefaulter({ group, plural })?.(object);
  return object;
}

const TEMPLATE = {
  metadata: { labels: { app: "web" } },
  spec: { containers: [{ name: "web", image: "nginx" }] },
};

/** A minimal manifest of every kind with defaults. */
const MINIMAL: Array<[group: string, plural: string, body: Record<string, unknown>]> = [
  ["", "pods", { spec: TEMPLATE.spec }],
  ["", "services", { spec: { type: "LoadBalancer", ports: [{ port: 80 }] } }],
  ["", "services", { spec: { clusterIP: "None" } }],
  ["", "services", { spec: { sessionAffinity: "ClientIP" } }],
  ["", "secrets", {}],
  ["", "endpoints", { subsets: [{ ports: [{ port: 80 }] }] }],
  ["", "nodes", { status: { capacity: { cpu: "1" } } }],
  ["", "persistentvolumes", { spec: { hostPath: { path: "/d" } } }],
  ["", "persistentvolumeclaims", { spec: {} }],
  ["apps", "deployments", { spec: { template: TEMPLATE } }],
  ["apps", "replicasets", { spec: { template: TEMPLATE } }],
  ["apps", "statefulsets", { spec: { template: TEMPLATE, volumeClaimTemplates: [{ spec: {} }] } }],
  ["apps", "daemonsets", { spec: { template: TEMPLATE } }],
  [
    "batch",
    "jobs",
    { spec: { template: TEMPLATE, podFailurePolicy: { rules: [{ onPodConditions: [{}] }] } } },
  ],
  ["rbac.authorization.k8s.io", "rolebindings", { roleRef: { kind: "Role", name: "r" }, subjects: [] }],
  ["rbac.authorization.k8s.io", "clusterrolebindings", { roleRef: { kind: "ClusterRole", name: "r" } }],
  ["discovery.k8s.io", "endpointslices", { addressType: "IPv4", endpoints: [], ports: [{ port: 80 }] }],
  ["storage.k8s.io", "storageclasses", { provisioner: "example.com/disk" }],
];

describe("builtinDefaulter", () => {
  test("kinds without defaults, and resources that are not built in, have no defaulter", () => {
    const none = builtinResourceTypes()
      .filter((type) => !builtinDefaulter(type))
      .map((type) => `${type.group}/${type.plural}`);
    assert.deepEqual(none.sort(), [
      "/configmaps",
      "/events",
      "/namespaces",
      "/serviceaccounts",
      "apiextensions.k8s.io/customresourcedefinitions",
      "coordination.k8s.io/leases",
      "rbac.authorization.k8s.io/clusterroles",
      "rbac.authorization.k8s.io/roles",
    ]);
    assert.equal(builtinDefaulter({ group: "example.com", plural: "widgets" }), undefined);
  });

  for (const [group, plural, body] of MINIMAL) {
    test(`defaulting ${group}/${plural} twice changes nothing more`, () => {
      const once = defaulted(group, plural, body);
      const twice = structuredClone(once);
      builtinDefaulter({ group, plural })?.(twice);
      assert.deepEqual(twice, once);
      assert.notDeepEqual(once, defaulted("", "configmaps", body), "the minimal manifest gets some default");
    });
  }
});

describe("rbac, discovery and storage defaults", () => {
  test("bindings: roleRef and User/Group subjects get the RBAC group", () => {
    const binding = defaulted("rbac.authorization.k8s.io", "rolebindings", {
      roleRef: { kind: "Role", name: "reader" },
      subjects: [
        { kind: "User", name: "alice" },
        { kind: "Group", name: "devs", apiGroup: "rbac.authorization.k8s.io" },
        { kind: "ServiceAccount", name: "ci", namespace: "build" },
      ],
    });
    assert.deepEqual(binding, {
      metadata: { name: "x" },
      roleRef: { kind: "Role", name: "reader", apiGroup: "rbac.authorization.k8s.io" },
      subjects: [
        { kind: "User", name: "alice", apiGroup: "rbac.authorization.k8s.io" },
        { kind: "Group", name: "devs", apiGroup: "rbac.authorization.k8s.io" },
        { kind: "ServiceAccount", name: "ci", namespace: "build" },
      ],
    });
  });

  test('EndpointSlice ports: name "" and protocol TCP unless given', () => {
    const slice = defaulted("discovery.k8s.io", "endpointslices", {
      addressType: "IPv4",
      endpoints: [{ addresses: ["10.0.0.1"] }],
      ports: [{ port: 80 }, { name: "dns", port: 53, protocol: "UDP" }],
    });
    assert.deepEqual(slice.ports, [
      { port: 80, name: "", protocol: "TCP" },
      { name: "dns", port: 53, protocol: "UDP" },
    ]);
  });

  test("StorageClass: reclaimPolicy Delete and volumeBindingMode Immediate unless given", () => {
    const minimal = defaulted("storage.k8s.io", "storageclasses", { provisioner: "example.com/disk" });
    assert.deepEqual(minimal, {
      metadata: { name: "x" },
      provisioner: "example.com/disk",
      reclaimPolicy: "Delete",
      volumeBindingMode: "Immediate",
    });
    const given = { provisioner: "p", reclaimPolicy: "Retain", volumeBindingMode: "WaitForFirstConsumer" };
    assert.deepEqual(defaulted("storage.k8s.io", "storageclasses", given), {
      metadata: { name: "x" },
      ...given,
    });
  });
});
