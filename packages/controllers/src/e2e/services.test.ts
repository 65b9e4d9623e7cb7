/**
 * Cross-cluster services end to end through the hub: a Service, its
 * Deployment and a ServiceExport applied once at the hub and propagated to
 * two members become a ServiceImport in every member that has the namespace.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { McsLabels, SERVICE_EXPORTS, SERVICE_IMPORTS } from "@atoll/api";
import { isRecord, R } from "@atoll/kube";
import { conditionOf, startFleet, type TestFleet, until } from "../testing/fleet.fixture.ts";

let fleet: TestFleet;

before(async () => {
  fleet = await startFleet({ ids: [147, 148, 149], propagation: true, mcs: true });
});

after(async () => {
  await fleet?.stop();
});

test("a ServiceExport propagated from the hub imports the Service into every member with the namespace", async () => {
  const file = join(fleet.dir, "shop.yaml");
  await writeFile(
    file,
    `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 80}]
---
apiVersion: multicluster.x-k8s.io/v1alpha1
kind: ServiceExport
metadata: {name: web, namespace: shop}
---
apiVersion: policy.atoll.io/v1alpha1
kind: ClusterPropagationPolicy
metadata: {name: shop-namespace}
spec:
  resourceSelectors: [{apiVersion: v1, kind: Namespace, name: shop}]
  placement: {}
---
apiVersion: policy.atoll.io/v1alpha1
kind: PropagationPolicy
metadata: {name: web, namespace: shop}
spec:
  resourceSelectors:
  - {apiVersion: apps/v1, kind: Deployment, name: web}
  - {apiVersion: v1, kind: Service, name: web}
  - {apiVersion: multicluster.x-k8s.io/v1alpha1, kind: ServiceExport, name: web}
  placement:
    clusterAffinity: {clusterNames: [k8s-1, k8s-2]}
`,
  );
  const applied = await fleet.kubectl(["apply", "-f", file]);
  assert.equal(applied.code, 0, applied.stderr);

  // k8s-3 runs nothing of it, but has the namespace: it imports the Service from k8s-1 and k8s-2.
  const imported = await until(
    "web imported in k8s-3 from both exporters",
    async () => {
      const si = await fleet.member("k8s-3").client.get(SERVICE_IMPORTS, "shop", "web");
      const clusters = (isRecord(si?.status) && Array.isArray(si.status.clusters) ? si.status.clusters : [])
        .filter(isRecord)
        .map((c) => c.cluster)
        .sort();
      // The ClusterSet IP arrives once the member has allocated the derived Service's cluster IP.
      const ips = isRecord(si?.spec) && Array.isArray(si.spec.ips) ? si.spec.ips : [];
      return JSON.stringify(clusters) === JSON.stringify(["k8s-1", "k8s-2"]) && ips.length > 0
        ? si
        : undefined;
    },
    30_000,
  );
  const spec = imported.spec as { type?: string; ips?: string[]; ports?: Array<{ port: number }> };
  assert.equal(spec.type, "ClusterSetIP");
  assert.match(spec.ips?.[0] ?? "", /^127\.149\./, "the ClusterSet IP comes from k8s-3's own range");
  assert.deepEqual(
    spec.ports?.map((p) => p.port),
    [80],
  );
  const slices = await until("endpoints from both exporters in k8s-3", async () => {
    const list = await fleet.member("k8s-3").client.list(R.endpointslices, {
      namespace: "shop",
      labelSelector: `${McsLabels.serviceName}=web`,
    });
    const sources = new Set(list.items.map((s) => s.metadata.labels?.[McsLabels.sourceCluster]));
    const endpoints = list.items.flatMap((s) => (Array.isArray(s.endpoints) ? s.endpoints : []));
    return sources.size === 2 && endpoints.length === 4 ? list.items : undefined;
  });
  assert.equal(slices.length, 2);
  for (const member of ["k8s-1", "k8s-2"]) {
    const exported = await fleet.member(member).client.get(SERVICE_EXPORTS, "shop", "web");
    assert.equal(conditionOf(exported, "Valid")?.status, "True");
    assert.equal(conditionOf(exported, "Conflict")?.status, "False");
  }
});
