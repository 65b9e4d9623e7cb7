/**
 * The MCS API end to end: three simulated members joined to a hub, Services
 * exported from members, imports checked through each member's own API and
 * ClusterSet IPs checked with real TCP connections from the host.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  EndpointSliceLabels,
  MCS_ENDPOINTSLICE_MANAGER,
  MCS_GROUP,
  MCS_VERSION,
  McsLabels,
  SERVICE_EXPORTS,
  SERVICE_IMPORTS,
  type ServiceImport,
} from "@atoll/api";
import { type KubeObject, R, rfc3339 } from "@atoll/kube";
import { addressPlan, ipToNumber } from "@atoll/sim/network/address-plan";
import { exchange } from "@atoll/sim/network/testing";
import { conditionOf, until } from "../testing/fleet.fixture.ts";
import { createNamespace, listLabelled, type McsFleet, startMcsFleet } from "./mcs.fixture.ts";

const IDS = [177, 178, 179];
const MEMBERS = ["k8s-1", "k8s-2", "k8s-3"];
let mcs: McsFleet;

before(async () => {
  mcs = await startMcsFleet(IDS);
});
after(async () => {
  await mcs?.stop();
});

const client = (member: string) => mcs.fleet.member(member).client;

async function exportService(member: string, namespace: string, name: string): Promise<KubeObject> {
  return client(member).create(SERVICE_EXPORTS, namespace, {
    apiVersion: `${MCS_GROUP}/${MCS_VERSION}`,
    kind: "ServiceExport",
    metadata: { name },
  });
}

async function createService(member: string, namespace: string, name: string, spec: Record<string, unknown>) {
  await client(member).create(R.services, namespace, { metadata: { name }, spec });
}

async function importOf(member: string, namespace: string, name: string): Promise<ServiceImport | undefined> {
  return (await client(member).get(SERVICE_IMPORTS, namespace, name)) as ServiceImport | undefined;
}

/** The sources of the imported EndpointSlices of `name` in a member, sorted. */
async function sliceSources(member: string, namespace: string, name: string): Promise<string[]> {
  const slices = await listLabelled(client(member), R.endpointslices, namespace, {
    [McsLabels.serviceName]: name,
  });
  return slices.map((s) => s.metadata.labels?.[McsLabels.sourceCluster] ?? "").sort();
}

/** Connects to `ip:port` until every one of `expected` has answered, or fails after the fleet's bounded wait. */
async function reaches(ip: string, port: number, expected: string[]): Promise<void> {
  const seen = new Set<string>();
  await until(`${ip}:${port} reaching ${expected.join(", ")}`, async () => {
    const reply = await exchange(ip, port);
    seen.add(reply.split(":")[0]);
    return expected.every((e) => seen.has(e));
  });
}

test("a Service exported from two members gets a ClusterSet IP in every member, reaching pods in both", async (t) => {
  await createNamespace(mcs.fleet, "shop", MEMBERS);
  for (const member of ["k8s-1", "k8s-2"]) {
    await mcs.startPod(member, { namespace: "shop", name: "web-0", labels: { app: "web" }, port: 8080 });
    await createService(member, "shop", "web", {
      selector: { app: "web" },
      ports: [{ name: "tcp", port: 80, targetPort: 8080 }],
    });
  }
  const started = performance.now();
  await exportService("k8s-1", "shop", "web");
  await exportService("k8s-2", "shop", "web");

  const imported = await until("the import in k8s-3 with both clusters and an IP", async () => {
    const found = await importOf("k8s-3", "shop", "web");
    const clusters = found?.status?.clusters?.map((c) => c.cluster) ?? [];
    return found?.spec.ips?.length && clusters.length === 2 ? found : undefined;
  });
  const ip = imported.spec.ips?.[0] ?? "";
  await reaches(ip, 80, ["k8s-1", "k8s-2"]);
  t.diagnostic(
    `export → ClusterSet IP answering from both exporters: ${Math.round(performance.now() - started)} ms`,
  );

  assert.equal(imported.spec.type, "ClusterSetIP");
  assert.deepEqual(imported.spec.ports, [{ name: "tcp", protocol: "TCP", port: 80 }]);
  assert.deepEqual(imported.status?.clusters, [{ cluster: "k8s-1" }, { cluster: "k8s-2" }]);
  const range = addressPlan(IDS[2]).serviceRange;
  assert.ok(ipToNumber(ip) >= range[0] && ipToNumber(ip) <= range[1], `${ip} is in k8s-3's service range`);

  const slices = await listLabelled(client("k8s-3"), R.endpointslices, "shop", {
    [McsLabels.serviceName]: "web",
  });
  assert.deepEqual(slices.map((s) => s.metadata.labels?.[McsLabels.sourceCluster]).sort(), [
    "k8s-1",
    "k8s-2",
  ]);
  for (const slice of slices) {
    const labels = slice.metadata.labels ?? {};
    assert.equal(labels[EndpointSliceLabels.managedBy], MCS_ENDPOINTSLICE_MANAGER);
    assert.notEqual(
      labels[EndpointSliceLabels.serviceName],
      "web",
      "the member's own controllers leave it alone",
    );
    const endpoints = slice.endpoints as Array<{ addresses: string[] }>;
    const owner = `127.${IDS[MEMBERS.indexOf(labels[McsLabels.sourceCluster])]}.`;
    assert.ok(endpoints.length === 1 && endpoints[0].addresses[0].startsWith(owner), "the exporter's pod IP");
  }
  // The exporters import the service too, each with a ClusterSet IP of its own range.
  for (const member of ["k8s-1", "k8s-2"]) {
    const own = await until(
      `the import in ${member}`,
      async () => (await importOf(member, "shop", "web"))?.spec.ips?.[0],
    );
    await reaches(own, 80, ["k8s-1", "k8s-2"]);
    const serviceExport = await client(member).get(SERVICE_EXPORTS, "shop", "web");
    assert.equal(conditionOf(serviceExport, "Valid")?.status, "True");
    assert.equal(conditionOf(serviceExport, "Conflict")?.reason, "NoConflicts");
    assert.equal(conditionOf(serviceExport, "Ready")?.reason, "Exported");
  }
});

test("an exporter whose API goes down has its endpoints withdrawn from the others, and back when it returns", async (t) => {
  const ip = (await importOf("k8s-3", "shop", "web"))?.spec.ips?.[0] ?? "";
  const host = mcs.fleet.member("k8s-2").host;
  const down = performance.now();
  await host.setApiDown(true);
  try {
    await until(
      "k8s-2's slices withdrawn from k8s-3",
      async () => (await sliceSources("k8s-3", "shop", "web")).join() === "k8s-1",
    );
    t.diagnostic(`API down → endpoints withdrawn: ${Math.round(performance.now() - down)} ms`);
    assert.deepEqual(await sliceSources("k8s-1", "shop", "web"), ["k8s-1"]);
    for (let i = 0; i < 4; i++) assert.equal(await exchange(ip, 80), "k8s-1:ping");
  } finally {
    await host.setApiDown(false);
  }
  const up = performance.now();
  await until(
    "k8s-2's slices back in k8s-3",
    async () => (await sliceSources("k8s-3", "shop", "web")).length === 2,
  );
  t.diagnostic(`API up → endpoints restored: ${Math.round(performance.now() - up)} ms`);
  await reaches(ip, 80, ["k8s-1", "k8s-2"]);
});

test("conflicting exports: the oldest export's ports and type win, every export is told, traffic goes where the port is defined", async () => {
  await createNamespace(mcs.fleet, "conflict", MEMBERS);
  for (const member of ["k8s-1", "k8s-2"])
    await mcs.startPod(member, { namespace: "conflict", name: "api-0", labels: { app: "api" }, port: 8080 });
  await createService("k8s-2", "conflict", "api", {
    selector: { app: "api" },
    ports: [{ name: "http", port: 80, targetPort: 8080 }],
  });
  const oldest = await exportService("k8s-2", "conflict", "api");
  // creationTimestamp has second precision: the newer exports must be created in a later second.
  await until("a later second", () => rfc3339(new Date()) > (oldest.metadata.creationTimestamp ?? ""), 3000);
  await createService("k8s-1", "conflict", "api", {
    selector: { app: "api" },
    ports: [
      { name: "http", port: 8080 },
      { name: "metrics", port: 9090, targetPort: 8080 },
    ],
  });
  await exportService("k8s-1", "conflict", "api");
  const expected = [
    { name: "http", protocol: "TCP", port: 80 },
    { name: "metrics", protocol: "TCP", port: 9090 },
  ];
  const merged = await until("k8s-2's http and k8s-1's metrics merged in k8s-3", async () => {
    const found = await importOf("k8s-3", "conflict", "api");
    return JSON.stringify(found?.spec.ports) === JSON.stringify(expected) && found?.spec.ips?.length
      ? found
      : undefined;
  });
  const newer = await until("Conflict on k8s-1's export", async () => {
    const found = await client("k8s-1").get(SERVICE_EXPORTS, "conflict", "api");
    return conditionOf(found, "Conflict")?.status === "True" ? found : undefined;
  });
  const conflict = conditionOf(newer, "Conflict");
  assert.equal(conflict?.reason, "PortConflict");
  assert.match(String(conflict?.message), /k8s-1 defines port "http" as TCP\/8080, k8s-2 as TCP\/80/);
  assert.match(String(conflict?.message), /the oldest export \(k8s-2\) wins/);
  assert.equal(conditionOf(newer, "Valid")?.status, "True");
  const older = await client("k8s-2").get(SERVICE_EXPORTS, "conflict", "api");
  assert.equal(conditionOf(older, "Conflict")?.status, "True", "the KEP raises the conflict on every export");
  // http is k8s-2's definition, so only k8s-2's pods take it; metrics only k8s-1 defines.
  const ip = merged.spec.ips?.[0] ?? "";
  await reaches(ip, 9090, ["k8s-1"]);
  for (let i = 0; i < 4; i++) {
    assert.equal(await exchange(ip, 80), "k8s-2:ping");
    assert.equal(await exchange(ip, 9090), "k8s-1:ping");
  }

  // A headless export of the same name: the import stays ClusterSetIP, k8s-3 is told why.
  await createService("k8s-3", "conflict", "api", {
    clusterIP: "None",
    selector: { app: "api" },
    ports: [{ name: "http", port: 80 }],
  });
  await exportService("k8s-3", "conflict", "api");
  const headless = await until("TypeConflict on k8s-3's export", async () => {
    const found = await client("k8s-3").get(SERVICE_EXPORTS, "conflict", "api");
    return String(conditionOf(found, "Conflict")?.reason).includes("TypeConflict") ? found : undefined;
  });
  assert.equal(conditionOf(headless, "Conflict")?.reason, "PortConflict,TypeConflict");
  assert.match(
    String(conditionOf(headless, "Conflict")?.message),
    /k8s-3 exports a headless Service, k8s-2 a ClusterIP one/,
  );
  const after = await importOf("k8s-3", "conflict", "api");
  assert.equal(after?.spec.type, "ClusterSetIP");
  assert.deepEqual(
    after?.status?.clusters?.map((c) => c.cluster),
    ["k8s-2", "k8s-1", "k8s-3"],
  );
});

test("a member that has not got the namespace gets the import when the namespace is created", async () => {
  await createNamespace(mcs.fleet, "late", ["k8s-1", "k8s-2"]);
  await createService("k8s-1", "late", "queue", { selector: { app: "queue" }, ports: [{ port: 5672 }] });
  await exportService("k8s-1", "late", "queue");
  await until(
    "the import in k8s-2",
    async () => (await importOf("k8s-2", "late", "queue"))?.spec.ips?.length,
  );
  assert.equal(await importOf("k8s-3", "late", "queue"), undefined);
  await createNamespace(mcs.fleet, "late", ["k8s-3"]);
  await until(
    "the import in k8s-3",
    async () => (await importOf("k8s-3", "late", "queue"))?.spec.ips?.length,
  );
});

test("deleting the last export removes the imports, derived Services and slices from every member", async (t) => {
  const derived = (await importOf("k8s-3", "shop", "web"))?.metadata.annotations?.[
    "multicluster.kubernetes.io/derived-service"
  ];
  assert.ok(derived);
  await client("k8s-1").delete(SERVICE_EXPORTS, "shop", "web");
  await until(
    "k8s-1 gone from the import",
    async () => (await sliceSources("k8s-3", "shop", "web")).join() === "k8s-2",
  );
  const removed = performance.now();
  await client("k8s-2").delete(SERVICE_EXPORTS, "shop", "web");
  for (const member of MEMBERS) {
    await until(`nothing imported left in ${member}`, async () => {
      const found = await importOf(member, "shop", "web");
      const service = await client(member).get(R.services, "shop", derived);
      return !found && !service && (await sliceSources(member, "shop", "web")).length === 0;
    });
  }
  t.diagnostic(
    `last export deleted → imports gone everywhere: ${Math.round(performance.now() - removed)} ms`,
  );
  assert.deepEqual(mcs.errors, []);
});
