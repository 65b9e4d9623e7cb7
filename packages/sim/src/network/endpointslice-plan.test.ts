import assert from "node:assert/strict";
import { test } from "node:test";
import { type PortGroup, planSlices, portsKey } from "./endpointslice-plan.ts";
import type { EndpointSlice, Service, SliceEndpoint } from "./objects.ts";

const service: Service = { metadata: { name: "web", namespace: "default", uid: "svc-uid" } };
const labels = { "kubernetes.io/service-name": "web" };
const ports = [{ name: "http", port: 8080, protocol: "TCP" }];
const endpoint = (i: number): SliceEndpoint => ({
  addresses: [`127.77.${1 + Math.floor(i / 250)}.${i % 250}`],
  conditions: { ready: true, serving: true, terminating: false },
  targetRef: { kind: "Pod", namespace: "default", name: `pod-${i}`, uid: `uid-${i}` },
});
const groupOf = (endpoints: SliceEndpoint[]) =>
  new Map<string, PortGroup>([[portsKey(ports), { ports, endpoints }]]);
const existing = (
  name: string,
  endpoints: SliceEndpoint[],
  uid = "svc-uid",
  slicePorts = ports,
): EndpointSlice => ({
  metadata: {
    name,
    namespace: "default",
    labels,
    ownerReferences: [{ apiVersion: "v1", kind: "Service", name: "web", uid, controller: true }],
  },
  addressType: "IPv4",
  endpoints,
  ports: slicePorts,
});
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => endpoint(from + i));

test("endpoints are split 100 to a slice", () => {
  const plan = planSlices({ service, existing: [], groups: groupOf(range(0, 250)), labels });
  assert.deepEqual(
    plan.create.map((s) => s.endpoints?.length),
    [100, 100, 50],
  );
  assert.equal(plan.create[0].metadata.generateName, "web-");
  assert.deepEqual([plan.update, plan.delete], [[], []]);
});

test("endpoints stay in their slice; new ones fill free room; unchanged slices are not written", () => {
  const full = existing("web-a", range(0, 100));
  const half = existing("web-b", range(100, 150));
  const same = planSlices({ service, existing: [full, half], groups: groupOf(range(0, 150)), labels });
  assert.deepEqual(same, { create: [], update: [], delete: [] });

  const grown = planSlices({ service, existing: [full, half], groups: groupOf(range(0, 160)), labels });
  assert.deepEqual(grown.create, []);
  assert.deepEqual(
    grown.update.map((s) => [s.metadata.name, s.endpoints?.length]),
    [["web-b", 60]],
  );

  const shrunk = planSlices({ service, existing: [full, half], groups: groupOf(range(0, 100)), labels });
  assert.deepEqual(
    shrunk.delete.map((s) => s.metadata.name),
    ["web-b"],
  );
});

test("no endpoints leaves one placeholder; a slice that would go is reused rather than replaced", () => {
  const empty = planSlices({ service, existing: [], groups: new Map(), labels });
  assert.deepEqual(
    empty.create.map((s) => [s.endpoints, s.ports]),
    [[[], []]],
  );
  const placeholder = existing("web-p", [], "svc-uid", []);
  assert.deepEqual(planSlices({ service, existing: [placeholder], groups: new Map(), labels }), {
    create: [],
    update: [],
    delete: [],
  });
  const filled = planSlices({ service, existing: [placeholder], groups: groupOf(range(0, 3)), labels });
  assert.deepEqual(
    [filled.create, filled.delete, filled.update.map((s) => [s.metadata.name, s.endpoints?.length, s.ports])],
    [[], [], [["web-p", 3, ports]]],
  );
});

test("slices of an earlier Service of the same name are deleted", () => {
  const stale = existing("web-old", range(0, 2), "old-uid");
  const plan = planSlices({ service, existing: [stale], groups: groupOf(range(0, 2)), labels });
  assert.deepEqual(
    plan.delete.map((s) => s.metadata.name),
    ["web-old"],
  );
  assert.equal(plan.create.length, 1);
  assert.equal(plan.create[0].metadata.ownerReferences?.[0]?.uid, "svc-uid");
});
