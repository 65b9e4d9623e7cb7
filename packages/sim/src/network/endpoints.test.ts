import assert from "node:assert/strict";
import { test } from "node:test";
import { Informer, type KubeClient, R } from "@atoll/kube";
import { EndpointsController } from "./endpoints-controller.ts";
import { EndpointSliceController } from "./endpointslice-controller.ts";
import type { EndpointSlice, Endpoints } from "./objects.ts";
import { createPod, startApi, until } from "./testing.ts";

async function startControllers(client: KubeClient) {
  const errors: unknown[] = [];
  const onError = (_c: string, _k: string, error: unknown) => errors.push(error);
  const services = new Informer(client, R.services);
  const pods = new Informer(client, R.pods);
  const endpoints = new Informer(client, R.endpoints);
  const endpointSlices = new Informer(client, R.endpointslices);
  const informers = [services, pods, endpoints, endpointSlices];
  const controllers = [
    new EndpointsController({ client, services, pods, endpoints, onError }),
    new EndpointSliceController({ client, services, pods, endpointSlices, onError }),
  ];
  for (const controller of controllers) controller.start();
  for (const informer of informers) informer.start();
  await Promise.all(informers.map((i) => i.synced()));
  return {
    errors,
    stop() {
      for (const controller of controllers) controller.stop();
      for (const informer of informers) informer.stop();
    },
  };
}

const getEndpoints = async (client: KubeClient, name: string) =>
  (await client.get(R.endpoints, "default", name)) as Endpoints | undefined;

async function slicesOf(client: KubeClient, service: string): Promise<EndpointSlice[]> {
  const list = await client.list(R.endpointslices, {
    namespace: "default",
    labelSelector: `kubernetes.io/service-name=${service}`,
  });
  return list.items as EndpointSlice[];
}

test("Endpoints and EndpointSlices list the selected pods with their readiness and resolved ports", {
  timeout: 20_000,
}, async () => {
  const api = await startApi();
  const run = await startControllers(api.client);
  const { client } = api;
  try {
    const ports = [{ name: "http", containerPort: 9376 }];
    const ready = await createPod(
      client,
      { name: "web-a", labels: { app: "web" }, ip: "127.77.1.5", ready: true },
      ports,
    );
    await createPod(
      client,
      { name: "web-b", labels: { app: "web" }, ip: "127.77.1.6", ready: false, node: "node-1" },
      ports,
    );
    await createPod(client, { name: "other", labels: { app: "other" }, ip: "127.77.1.7", ready: true });
    await client.create(R.services, "default", {
      metadata: { name: "web", labels: { tier: "front" } },
      spec: {
        clusterIP: "127.77.128.30",
        selector: { app: "web" },
        ports: [
          { name: "http", port: 80, targetPort: "http" },
          { name: "metrics", port: 9090 },
        ],
      },
    });

    const endpoints = await until("Endpoints of web", async () => {
      const found = await getEndpoints(client, "web");
      return found?.subsets?.[0]?.notReadyAddresses ? found : undefined;
    });
    assert.equal(endpoints.metadata.labels?.tier, "front");
    assert.equal(endpoints.metadata.labels?.["endpoints.kubernetes.io/managed-by"], "endpoint-controller");
    assert.deepEqual(endpoints.subsets, [
      {
        addresses: [
          {
            ip: "127.77.1.5",
            nodeName: "node-0",
            targetRef: { kind: "Pod", namespace: "default", name: "web-a", uid: ready.metadata.uid },
          },
        ],
        notReadyAddresses: [
          {
            ip: "127.77.1.6",
            nodeName: "node-1",
            targetRef: {
              kind: "Pod",
              namespace: "default",
              name: "web-b",
              uid: endpoints.subsets?.[0]?.notReadyAddresses?.[0]?.targetRef?.uid,
            },
          },
        ],
        ports: [
          { name: "http", port: 9376, protocol: "TCP" },
          { name: "metrics", port: 9090, protocol: "TCP" },
        ],
      },
    ]);

    const [slice] = await until("one slice with two endpoints", async () => {
      const slices = await slicesOf(client, "web");
      return slices.length === 1 && slices[0].endpoints?.length === 2 ? slices : undefined;
    });
    assert.equal(slice.apiVersion, "discovery.k8s.io/v1");
    assert.equal(slice.addressType, "IPv4");
    assert.ok(slice.metadata.name?.startsWith("web-"));
    assert.deepEqual(slice.metadata.labels, {
      tier: "front",
      "kubernetes.io/service-name": "web",
      "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
    });
    const service = await client.get(R.services, "default", "web");
    assert.deepEqual(slice.metadata.ownerReferences, [
      {
        apiVersion: "v1",
        kind: "Service",
        name: "web",
        uid: service?.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    assert.deepEqual(
      [...(slice.ports ?? [])].sort((a, b) => a.port - b.port),
      [
        { name: "metrics", port: 9090, protocol: "TCP" },
        { name: "http", port: 9376, protocol: "TCP" },
      ],
    );
    const byName = new Map(slice.endpoints?.map((e) => [e.targetRef?.name, e]));
    assert.deepEqual(byName.get("web-a")?.conditions, { ready: true, serving: true, terminating: false });
    assert.deepEqual(byName.get("web-b")?.conditions, { ready: false, serving: false, terminating: false });
    assert.deepEqual(byName.get("web-a")?.addresses, ["127.77.1.5"]);
    assert.equal(byName.get("web-b")?.nodeName, "node-1");

    // A terminating pod (deleted, waiting for a kubelet that is not there) leaves Endpoints and is marked in slices.
    await client.delete(R.pods, "default", "web-a");
    await until("web-a out of Endpoints", async () => {
      const found = await getEndpoints(client, "web");
      return found && !JSON.stringify(found.subsets).includes("127.77.1.5");
    });
    await until("web-a terminating in the slice", async () => {
      const [current] = await slicesOf(client, "web");
      const a = current?.endpoints?.find((e) => e.targetRef?.name === "web-a");
      return (
        a?.conditions?.terminating === true && a.conditions.ready === false && a.conditions.serving === true
      );
    });
    assert.deepEqual(run.errors, []);
  } finally {
    run.stop();
    await api.stop();
  }
});

test("publishNotReadyAddresses, empty and selectorless Services, and deletion", {
  timeout: 20_000,
}, async () => {
  const api = await startApi();
  const run = await startControllers(api.client);
  const { client } = api;
  try {
    await createPod(client, { name: "db-0", labels: { app: "db" }, ip: "127.77.2.5", ready: false });
    await client.create(R.services, "default", {
      metadata: { name: "db" },
      spec: {
        clusterIP: "None",
        selector: { app: "db" },
        publishNotReadyAddresses: true,
        ports: [{ port: 5432 }],
      },
    });
    const db = await until("db Endpoints", async () =>
      (await getEndpoints(client, "db"))?.subsets?.[0] ? getEndpoints(client, "db") : undefined,
    );
    assert.equal(db?.subsets?.[0]?.addresses?.[0]?.ip, "127.77.2.5");
    assert.equal(db?.metadata.labels?.["service.kubernetes.io/headless"], "");
    const [dbSlice] = await until("db slice", async () => {
      const slices = await slicesOf(client, "db");
      return slices[0]?.endpoints?.length ? slices : undefined;
    });
    assert.deepEqual(dbSlice.endpoints?.[0]?.conditions, { ready: true, serving: false, terminating: false });
    assert.equal(dbSlice.metadata.labels?.["service.kubernetes.io/headless"], "");

    await client.create(R.services, "default", {
      metadata: { name: "empty" },
      spec: { clusterIP: "127.77.128.31", selector: { app: "nobody" }, ports: [{ port: 80 }] },
    });
    const [placeholder] = await until("placeholder slice", async () => {
      const slices = await slicesOf(client, "empty");
      return slices.length === 1 ? slices : undefined;
    });
    assert.deepEqual([placeholder.endpoints, placeholder.ports], [[], []]);
    assert.deepEqual(
      (await until("empty Endpoints", () => getEndpoints(client, "empty")))?.subsets ?? [],
      [],
    );

    // Selectorless: the user's Endpoints are theirs.
    await client.create(R.services, "default", {
      metadata: { name: "external" },
      spec: { ports: [{ port: 80 }] },
    });
    const mine = {
      metadata: { name: "external" },
      subsets: [{ addresses: [{ ip: "127.77.3.3" }], ports: [{ port: 80 }] }],
    };
    await client.create(R.endpoints, "default", mine);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual((await getEndpoints(client, "external"))?.subsets, [
      { addresses: [{ ip: "127.77.3.3" }], ports: [{ port: 80, protocol: "TCP" }] },
    ]);
    assert.deepEqual(await slicesOf(client, "external"), []);

    await client.delete(R.services, "default", "db");
    await until("db Endpoints deleted", async () => (await getEndpoints(client, "db")) === undefined);
    await until("db slices collected", async () => (await slicesOf(client, "db")).length === 0);
    assert.deepEqual(run.errors, []);
  } finally {
    run.stop();
    await api.stop();
  }
});
