import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ApiServer, openStore, type Store } from "@atoll/apiserver";
import { isRecord, jsonEqual, type KubeClient, R } from "@atoll/kube";
import { assertInvalid } from "../policy/test-hub.fixture.ts";
import { mcsCrds } from "./mcs-crds.ts";
import { derivedServiceName, MCS_GROUP, MCS_VERSION } from "./mcs-names.ts";
import { SERVICE_EXPORTS, type ServiceExport } from "./service-export.ts";
import { SERVICE_IMPORTS, type ServiceImport } from "./service-import.ts";

const apiVersion = `${MCS_GROUP}/${MCS_VERSION}`;

describe("MCS CRDs", () => {
  let store: Store;
  let server: ApiServer;
  let client: KubeClient;
  before(async () => {
    store = await openStore("memory");
    server = await ApiServer.start({ store });
    client = server.client("mcs-test");
    for (const crd of mcsCrds()) {
      await client.patch(R.customresourcedefinitions, undefined, crd.metadata.name ?? "", "apply", crd, {
        fieldManager: "test",
        force: true,
      });
    }
    for (const crd of mcsCrds()) await established(client, crd.metadata.name ?? "");
  });
  after(async () => {
    await server.stop();
    await store.close();
  });

  test("a served CRD's spec equals the applied one, so re-applying is never needed to repair drift", async () => {
    for (const crd of mcsCrds()) {
      const live = await client.get(R.customresourcedefinitions, undefined, crd.metadata.name ?? "");
      assert.ok(jsonEqual(live?.spec, crd.spec), `${crd.metadata.name} came back changed`);
    }
  });

  test("a ServiceExport needs no spec; its conditions go through the status subresource", async () => {
    const created = await client.create(SERVICE_EXPORTS, "default", {
      apiVersion,
      kind: "ServiceExport",
      metadata: { name: "web" },
    });
    const condition = {
      type: "Conflict",
      status: "True",
      reason: "PortConflict,TypeConflict",
      message: "",
      lastTransitionTime: "2025-01-01T00:00:00Z",
    };
    await client.patch(
      SERVICE_EXPORTS,
      "default",
      "web",
      "merge",
      { status: { conditions: [condition] } },
      { subresource: "status" },
    );
    const read = (await client.get(SERVICE_EXPORTS, "default", "web")) as ServiceExport;
    assert.deepEqual(read.status?.conditions, [condition]);
    assert.ok(created.metadata.uid);
    await assertInvalid(
      client.patch(
        SERVICE_EXPORTS,
        "default",
        "web",
        "merge",
        { status: { conditions: [{ type: "Valid", status: "True" }] } },
        { subresource: "status" },
      ),
      [
        "status.conditions[0].reason",
        "status.conditions[0].message",
        "status.conditions[0].lastTransitionTime",
      ],
    );
  });

  test("a ServiceImport takes ClusterSetIP or Headless, one IP at most, and lists clusters in status", async () => {
    const spec = {
      type: "ClusterSetIP",
      ips: ["127.3.128.9"],
      ports: [{ name: "http", port: 80, protocol: "TCP" }],
    };
    await client.create(SERVICE_IMPORTS, "default", {
      apiVersion,
      kind: "ServiceImport",
      metadata: { name: "web" },
      spec,
    });
    await client.patch(
      SERVICE_IMPORTS,
      "default",
      "web",
      "merge",
      { status: { clusters: [{ cluster: "k8s-1" }, { cluster: "k8s-2" }] } },
      { subresource: "status" },
    );
    const read = (await client.get(SERVICE_IMPORTS, "default", "web")) as ServiceImport;
    assert.deepEqual(read.spec, spec);
    assert.deepEqual(read.status?.clusters, [{ cluster: "k8s-1" }, { cluster: "k8s-2" }]);
    const invalid = (name: string, spec: Record<string, unknown>) =>
      client.create(SERVICE_IMPORTS, "default", {
        apiVersion,
        kind: "ServiceImport",
        metadata: { name },
        spec,
      });
    await assertInvalid(invalid("bad-type", { type: "LoadBalancer", ports: [] }), ["spec.type"]);
    await assertInvalid(invalid("two-ips", { type: "ClusterSetIP", ports: [], ips: ["a", "b"] }), [
      "spec.ips",
    ]);
    await assertInvalid(invalid("no-ports", { type: "Headless" }), ["spec.ports"]);
  });

  test("derived Service names are valid, stable and distinct per namespace/name", () => {
    const name = derivedServiceName("default", "web");
    assert.match(name, /^derived-[0-9a-v]{10}$/);
    assert.equal(derivedServiceName("default", "web"), name);
    assert.notEqual(derivedServiceName("other", "web"), name);
    assert.notEqual(derivedServiceName("default", "web2"), name);
  });
});

async function established(client: KubeClient, name: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const crd = await client.get(R.customresourcedefinitions, undefined, name);
    const conditions =
      isRecord(crd?.status) && Array.isArray(crd.status.conditions) ? crd.status.conditions : [];
    if (conditions.some((c) => isRecord(c) && c.type === "Established" && c.status === "True")) return;
    if (Date.now() > deadline) throw new Error(`CRD ${name} did not become Established`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
