import assert from "node:assert/strict";
import { test } from "node:test";
import type { EndpointSlice } from "./core-objects.ts";
import { deriveService } from "./derive.ts";
import { desiredSlices } from "./import-objects.ts";

const owner = { apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "ServiceImport", name: "web", uid: "u1" };

function memberSlice(count: number, unready: string[] = []): EndpointSlice {
  return {
    metadata: { name: "web-abcde", namespace: "shop" },
    addressType: "IPv4",
    ports: [
      { name: "http", protocol: "TCP", port: 8080 },
      { name: "admin", protocol: "TCP", port: 9000 },
    ],
    endpoints: [
      ...Array.from({ length: count }, (_, i) => ({
        addresses: [`127.1.${1 + Math.floor(i / 200)}.${1 + (i % 200)}`],
        conditions: { ready: true },
        nodeName: "node-0",
      })),
      ...unready.map((ip) => ({ addresses: [ip], conditions: { ready: false } })),
    ],
  };
}

test("imported slices: ready endpoints only, at most 100 a slice, only the ports the member serves as the import does", () => {
  const derived = deriveService([
    {
      cluster: "k8s-1",
      exportedAt: "2025-01-01T00:00:01Z",
      type: "ClusterSetIP",
      ports: [{ name: "http", protocol: "TCP", port: 80 }],
      sessionAffinity: "None",
    },
  ]);
  assert.ok(derived);
  const slices = desiredSlices({
    namespace: "shop",
    name: "web",
    derived,
    sources: [{ cluster: "k8s-1", slices: [memberSlice(150, ["127.1.9.9"])] }],
    derivedService: "derived-x",
    owner,
  });
  assert.deepEqual(
    slices.map((s) => s.endpoints?.length),
    [100, 50],
  );
  assert.equal(new Set(slices.map((s) => s.metadata.name)).size, 2);
  assert.ok(slices.every((s) => s.metadata.name?.startsWith("web-k8s-1-")));
  const endpoints = slices.flatMap((s) => s.endpoints ?? []);
  assert.ok(!endpoints.some((e) => e.addresses[0] === "127.1.9.9"), "unready endpoints are not imported");
  assert.deepEqual(endpoints[0], { addresses: ["127.1.1.1"], conditions: { ready: true } });
  assert.deepEqual(
    slices[0].ports,
    [{ name: "http", protocol: "TCP", port: 8080 }],
    "admin is not an import port",
  );
  assert.deepEqual(slices[0].metadata.labels, {
    "app.kubernetes.io/managed-by": "atoll",
    "multicluster.kubernetes.io/service-name": "web",
    "multicluster.kubernetes.io/source-cluster": "k8s-1",
    "endpointslice.kubernetes.io/managed-by": "atoll-mcs",
    "kubernetes.io/service-name": "derived-x",
  });
  assert.deepEqual(slices[0].metadata.ownerReferences, [owner]);
});
