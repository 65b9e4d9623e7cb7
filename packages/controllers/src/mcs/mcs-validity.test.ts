/**
 * The MCS API within one member: an export's Valid condition follows its
 * Service, a member imports its own exports (ClusterSetIP or headless), and
 * an export that stops being valid takes the import with it.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  derivedServiceName,
  EndpointSliceLabels,
  MCS_GROUP,
  MCS_VERSION,
  McsLabels,
  SERVICE_EXPORTS,
  SERVICE_IMPORTS,
  type ServiceImport,
} from "@atoll/api";
import type { KubeObject } from "@atoll/kube";
import { R } from "@atoll/kube";
import { exchange } from "@atoll/sim/network/testing";
import { conditionOf, until } from "../testing/fleet.fixture.ts";
import { createNamespace, listLabelled, type McsFleet, startMcsFleet } from "./mcs.fixture.ts";

let mcs: McsFleet;
before(async () => {
  mcs = await startMcsFleet([187]);
  await createNamespace(mcs.fleet, "solo", ["k8s-1"]);
});
after(async () => {
  await mcs?.stop();
});

const client = () => mcs.fleet.member("k8s-1").client;

async function exportService(name: string): Promise<void> {
  await client().create(SERVICE_EXPORTS, "solo", {
    apiVersion: `${MCS_GROUP}/${MCS_VERSION}`,
    kind: "ServiceExport",
    metadata: { name },
  });
}

async function exportWith(name: string, type: string, status: string): Promise<KubeObject> {
  return until(`${name}'s ${type} ${status}`, async () => {
    const found = await client().get(SERVICE_EXPORTS, "solo", name);
    return conditionOf(found, type)?.status === status ? found : undefined;
  });
}

test("an export without a Service is not valid; once the Service exists the member imports it and routes its ClusterSet IP", async () => {
  await exportService("web");
  const invalid = await exportWith("web", "Valid", "False");
  assert.equal(conditionOf(invalid, "Valid")?.reason, "NoService");
  assert.equal(conditionOf(invalid, "Ready")?.reason, "Pending");
  assert.equal(conditionOf(invalid, "Conflict"), undefined);
  assert.equal(await client().get(SERVICE_IMPORTS, "solo", "web"), undefined);

  await mcs.startPod("k8s-1", { namespace: "solo", name: "web-0", labels: { app: "web" }, port: 8080 });
  await client().create(R.services, "solo", {
    metadata: { name: "web" },
    spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080 }] },
  });
  const valid = await exportWith("web", "Ready", "True");
  assert.equal(conditionOf(valid, "Valid")?.reason, "Valid");
  const imported = await until("a ClusterSet IP", async () => {
    const found = (await client().get(SERVICE_IMPORTS, "solo", "web")) as ServiceImport | undefined;
    return found?.spec.ips?.length ? found : undefined;
  });
  const ip = imported.spec.ips?.[0] ?? "";
  await until(`${ip}:80 answering`, async () => (await exchange(ip, 80)) === "k8s-1:ping");
  const derived = await client().get(R.services, "solo", derivedServiceName("solo", "web"));
  assert.equal((derived?.spec as { clusterIP?: string } | undefined)?.clusterIP, ip);

  // The Service going makes the export invalid; with no valid export left the import goes.
  await client().delete(R.services, "solo", "web");
  const gone = await exportWith("web", "Valid", "False");
  assert.equal(conditionOf(gone, "Valid")?.reason, "NoService");
  await until("the import removed", async () => !(await client().get(SERVICE_IMPORTS, "solo", "web")));
  await until("the ClusterSet IP closed", async () => (await exchange(ip, 80)) === "refused");
});

test("an ExternalName Service cannot be exported", async () => {
  await client().create(R.services, "solo", {
    metadata: { name: "external" },
    spec: { type: "ExternalName", externalName: "example.com" },
  });
  await exportService("external");
  const invalid = await exportWith("external", "Valid", "False");
  assert.equal(conditionOf(invalid, "Valid")?.reason, "InvalidServiceType");
  assert.equal(conditionOf(invalid, "Ready")?.reason, "Failed");
  assert.equal(await client().get(SERVICE_IMPORTS, "solo", "external"), undefined);
});

test("a headless Service is imported as Headless: no ClusterSet IP, slices with the pods' addresses", async () => {
  const podIp = await mcs.startPod("k8s-1", {
    namespace: "solo",
    name: "db-0",
    labels: { app: "db" },
    port: 5432,
  });
  await client().create(R.services, "solo", {
    metadata: { name: "db" },
    spec: { clusterIP: "None", selector: { app: "db" }, ports: [{ name: "pg", port: 5432 }] },
  });
  await exportService("db");
  const imported = await until("the headless import", async () => {
    const found = (await client().get(SERVICE_IMPORTS, "solo", "db")) as ServiceImport | undefined;
    return found?.status?.clusters?.length ? found : undefined;
  });
  assert.equal(imported.spec.type, "Headless");
  assert.equal(imported.spec.ips, undefined);
  assert.equal(await client().get(R.services, "solo", derivedServiceName("solo", "db")), undefined);
  const slices = await until("the imported slice", async () => {
    const found = await listLabelled(client(), R.endpointslices, "solo", { [McsLabels.serviceName]: "db" });
    return found.length === 1 && (found[0].endpoints as unknown[] | undefined)?.length ? found : undefined;
  });
  assert.equal(slices[0].metadata.labels?.[EndpointSliceLabels.serviceName], undefined);
  assert.deepEqual(slices[0].endpoints, [{ addresses: [podIp], conditions: { ready: true } }]);
  assert.deepEqual(slices[0].ports, [{ name: "pg", protocol: "TCP", port: 5432 }]);
  assert.deepEqual(mcs.errors, []);
});
