import assert from "node:assert/strict";
import { test } from "node:test";
import { R, systemClock } from "@atoll/kube";
import { addressPlan, ipToNumber } from "./address-plan.ts";
import { createNetworking } from "./networking.ts";
import type { EndpointSlice, Service } from "./objects.ts";
import { createPod, type Echo, exchange, setPodStatus, startApi, startEcho, until } from "./testing.ts";
import { ANNOTATION_GLOBAL_SERVICE } from "./well-known.ts";

const plan = addressPlan(77);
const nodeIps = [plan.nodeIp(0), plan.nodeIp(1)];

test("ClusterIP, NodePort and LoadBalancer traffic reaches ready pods, round-robin, sticky, and stops with the Service", {
  timeout: 20_000,
}, async () => {
  const api = await startApi();
  const { client } = api;
  const errors: unknown[] = [];
  const networking = createNetworking({
    client,
    plan,
    nodeIps,
    loadBalancerPools: ["127.77.250.0/24"],
    clock: systemClock,
    onError: (_c, _k, error) => errors.push(error),
  });
  const echoes: Echo[] = [];
  try {
    await networking.start();
    const a = await startEcho("127.77.1.5", "a");
    const b = await startEcho("127.77.1.6", "b");
    echoes.push(a, b);
    // Each pod names its own container port "echo": the Service reaches both through one named target port.
    await createPod(client, { name: "web-a", labels: { app: "web" }, ip: "127.77.1.5", ready: true }, [
      { name: "echo", containerPort: a.port },
    ]);
    await client.create(R.services, "default", {
      metadata: { name: "web" },
      spec: {
        type: "LoadBalancer",
        selector: { app: "web" },
        ports: [{ name: "tcp", port: 8080, targetPort: "echo" }],
      },
    });
    const service = await until("web allocated", async () => {
      const found = (await client.get(R.services, "default", "web")) as Service | undefined;
      return found?.status?.loadBalancer?.ingress?.[0]?.ip ? found : undefined;
    });
    const clusterIP = service.spec?.clusterIP ?? "";
    const nodePort = service.spec?.ports?.[0]?.nodePort ?? 0;
    const lbIP = service.status?.loadBalancer?.ingress?.[0]?.ip ?? "";
    assert.ok(ipToNumber(clusterIP) > plan.serviceRange[0] && ipToNumber(clusterIP) < plan.serviceRange[1]);
    assert.match(lbIP, /^127\.77\.250\./);

    const addresses: Array<[string, number]> = [
      [clusterIP, 8080],
      [nodeIps[0], nodePort],
      [nodeIps[1], nodePort],
      [lbIP, 8080],
    ];
    for (const [host, port] of addresses) {
      await until(`${host}:${port} reaches a`, async () => (await exchange(host, port)) === "a:ping");
    }

    await createPod(client, { name: "web-b", labels: { app: "web" }, ip: "127.77.1.6", ready: true }, [
      { name: "echo", containerPort: b.port },
    ]);
    await until("b behind the Service", async () => (await exchange(clusterIP, 8080)) === "b:ping");
    const replies = [];
    for (let i = 0; i < 4; i++) replies.push(await exchange(clusterIP, 8080));
    assert.deepEqual(new Set(replies), new Set(["a:ping", "b:ping"]), "round-robin over both pods");
    assert.notEqual(replies[0], replies[1]);

    await client.patch(R.services, "default", "web", "merge", { spec: { sessionAffinity: "ClientIP" } });
    await until("affinity applied", async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 4; i++) seen.add(await exchange(clusterIP, 8080, { localAddress: "127.77.3.1" }));
      return seen.size === 1;
    });
    for (const client of ["127.77.3.1", "127.77.3.2"]) {
      const first = await exchange(clusterIP, 8080, { localAddress: client });
      for (let i = 0; i < 3; i++)
        assert.equal(await exchange(clusterIP, 8080, { localAddress: client }), first);
    }

    // Endpoints follow readiness: with no ready pod a connection is reset at once.
    await setPodStatus(client, "default", "web-a", "127.77.1.5", false);
    await setPodStatus(client, "default", "web-b", "127.77.1.6", false);
    await until("no ready backend", async () =>
      ["reset", "closed"].includes(await exchange(clusterIP, 8080)),
    );
    assert.ok(["reset", "closed"].includes(await exchange(nodeIps[0], nodePort)));
    await setPodStatus(client, "default", "web-b", "127.77.1.6", true);
    await until("b again", async () => (await exchange(lbIP, 8080)) === "b:ping");

    await client.delete(R.services, "default", "web");
    for (const [host, port] of addresses) {
      await until(`${host}:${port} closed`, async () => (await exchange(host, port)) === "refused");
    }
    await until("IP freed", () => networking.allocator.holderOf({ clusterIP }) === undefined);
    assert.deepEqual(networking.proxy.addresses, []);
    assert.deepEqual(errors, []);
  } finally {
    await networking.stop();
    for (const echo of echoes) await echo.close();
    await api.stop();
  }
});

test("stopping closes every listener; a backend that refuses is skipped for the next", {
  timeout: 20_000,
}, async () => {
  const api = await startApi();
  const { client } = api;
  const errors: unknown[] = [];
  const networking = createNetworking({
    client,
    plan,
    nodeIps,
    clock: systemClock,
    onError: (_c, _k, error) => errors.push(error),
  });
  const echo = await startEcho("127.77.1.9", "live", 18081);
  try {
    await networking.start();
    // web-dead's address has nothing listening: its connections move on to web-live.
    await createPod(client, { name: "web-dead", labels: { app: "db" }, ip: "127.77.1.8", ready: true });
    await createPod(client, { name: "web-live", labels: { app: "db" }, ip: "127.77.1.9", ready: true });
    await client.create(R.services, "default", {
      metadata: { name: "db" },
      spec: { type: "NodePort", selector: { app: "db" }, ports: [{ port: 18081 }] },
    });
    const service = await until("db allocated", async () => {
      const found = (await client.get(R.services, "default", "db")) as Service | undefined;
      return found?.spec?.ports?.[0]?.nodePort ? found : undefined;
    });
    const clusterIP = service.spec?.clusterIP ?? "";
    await until("db reachable", async () => (await exchange(clusterIP, 18081)) === "live:ping");
    for (let i = 0; i < 4; i++) assert.equal(await exchange(clusterIP, 18081), "live:ping");
    await networking.stop();
    assert.equal(await exchange(clusterIP, 18081), "refused");
    assert.equal(await exchange(nodeIps[0], service.spec?.ports?.[0]?.nodePort ?? 0), "refused");
    assert.deepEqual(errors, []);
  } finally {
    await networking.stop();
    await echo.close();
    await api.stop();
  }
});

test("user-written Endpoints of a selectorless Service are mirrored and proxied; a wrapped source adds remote backends", {
  timeout: 20_000,
}, async () => {
  const api = await startApi();
  const { client } = api;
  const errors: unknown[] = [];
  const remote = await startEcho("127.78.1.5", "remote");
  const external = await startEcho("127.77.4.4", "external");
  const networking = createNetworking({
    client,
    plan,
    nodeIps,
    clock: systemClock,
    onError: (_c, _k, error) => errors.push(error),
    // What a mesh does for global Services: the same-named Service's backends in another member, added to ours.
    endpointSource: (local) => ({
      backends: (service, port) => [
        ...local.backends(service, port),
        ...(service.metadata.annotations?.[ANNOTATION_GLOBAL_SERVICE] === "true"
          ? [{ ip: "127.78.1.5", port: remote.port }]
          : []),
      ],
    }),
  });
  try {
    await networking.start();
    await client.create(R.services, "default", {
      metadata: { name: "legacy" },
      spec: { ports: [{ name: "tcp", port: 18082 }] },
    });
    await client.create(R.endpoints, "default", {
      metadata: { name: "legacy", labels: { owner: "me" } },
      subsets: [{ addresses: [{ ip: "127.77.4.4" }], ports: [{ name: "tcp", port: external.port }] }],
    });
    const [mirrored] = await until("mirrored slice", async () => {
      const list = await client.list(R.endpointslices, {
        namespace: "default",
        labelSelector: "kubernetes.io/service-name=legacy",
      });
      return list.items.length === 1 ? (list.items as EndpointSlice[]) : undefined;
    });
    assert.equal(
      mirrored.metadata.labels?.["endpointslice.kubernetes.io/managed-by"],
      "endpointslicemirroring-controller.k8s.io",
    );
    assert.equal(mirrored.metadata.labels?.owner, "me");
    assert.deepEqual(mirrored.endpoints, [{ addresses: ["127.77.4.4"], conditions: { ready: true } }]);
    assert.deepEqual(mirrored.ports, [{ name: "tcp", port: external.port, protocol: "TCP" }]);
    const legacy = await until("legacy allocated", async () => {
      const found = (await client.get(R.services, "default", "legacy")) as Service | undefined;
      return found?.spec?.clusterIP ? found : undefined;
    });
    const legacyIP = legacy.spec?.clusterIP ?? "";
    await until("legacy reachable", async () => (await exchange(legacyIP, 18082)) === "external:ping");

    await client.delete(R.endpoints, "default", "legacy");
    await until("mirrored slice removed", async () => {
      const list = await client.list(R.endpointslices, {
        namespace: "default",
        labelSelector: "kubernetes.io/service-name=legacy",
      });
      return list.items.length === 0;
    });
    await until("no backend left", async () => ["reset", "closed"].includes(await exchange(legacyIP, 18082)));

    await client.create(R.services, "default", {
      metadata: { name: "etcd", annotations: { [ANNOTATION_GLOBAL_SERVICE]: "true" } },
      spec: { selector: { app: "etcd" }, ports: [{ name: "client", port: 18083 }] },
    });
    const etcd = await until("etcd allocated", async () => {
      const found = (await client.get(R.services, "default", "etcd")) as Service | undefined;
      return found?.spec?.clusterIP ? found : undefined;
    });
    await until(
      "global service reaches the remote member",
      async () => (await exchange(etcd.spec?.clusterIP ?? "", 18083)) === "remote:ping",
    );
    assert.deepEqual(errors, []);
  } finally {
    await networking.stop();
    await remote.close();
    await external.close();
    await api.stop();
  }
});
