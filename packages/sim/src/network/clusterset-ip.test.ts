/**
 * What a multi-cluster services controller relies on to give an imported
 * service a ClusterSet IP in a simulated member (as the mcs-api reference
 * implementation does on real clusters): a selector-less ClusterIP Service
 * gets an IP from the member's own range, and EndpointSlices that name it in
 * `kubernetes.io/service-name` but are managed by another controller — with
 * endpoints in other members' address ranges — are routed by the proxy and
 * left alone by the member's EndpointSlice controllers.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { R, systemClock } from "@atoll/kube";
import { addressPlan, ipToNumber } from "./address-plan.ts";
import { createNetworking } from "./networking.ts";
import type { EndpointSlice, Service } from "./objects.ts";
import { type Echo, exchange, startApi, startEcho, until } from "./testing.ts";
import { LABEL_SERVICE_NAME, LABEL_SLICE_MANAGED_BY } from "./well-known.ts";

const plan = addressPlan(187);
const remote = [
  { cluster: "k8s-a", ip: "127.177.200.7" },
  { cluster: "k8s-b", ip: "127.178.200.7" },
];

function importedSlice(cluster: string, ip: string, port: number): EndpointSlice {
  return {
    metadata: {
      name: `web-${cluster}`,
      labels: {
        [LABEL_SERVICE_NAME]: "derived-web",
        [LABEL_SLICE_MANAGED_BY]: "atoll-mcs",
        "multicluster.kubernetes.io/service-name": "web",
        "multicluster.kubernetes.io/source-cluster": cluster,
      },
    },
    addressType: "IPv4",
    ports: [{ name: "http", protocol: "TCP", port }],
    endpoints: [{ addresses: [ip], conditions: { ready: true } }],
  };
}

test("a selector-less Service with slices from other members routes to them, and the member's controllers leave the slices alone", {
  timeout: 20_000,
}, async () => {
  const api = await startApi();
  const { client } = api;
  const errors: unknown[] = [];
  const networking = createNetworking({
    client,
    plan,
    nodeIps: [plan.nodeIp(0)],
    clock: systemClock,
    onError: (_c, _k, error) => errors.push(error),
  });
  const echoes: Echo[] = [];
  try {
    await networking.start();
    for (const { cluster, ip } of remote) echoes.push(await startEcho(ip, cluster));
    await client.create(R.services, "default", {
      metadata: { name: "derived-web" },
      spec: { type: "ClusterIP", ports: [{ name: "http", port: 80 }] },
    });
    const ip = await until("a cluster IP", async () => {
      const service = (await client.get(R.services, "default", "derived-web")) as Service | undefined;
      return service?.spec?.clusterIP || undefined;
    });
    assert.ok(ipToNumber(ip) >= plan.serviceRange[0] && ipToNumber(ip) <= plan.serviceRange[1]);
    for (const [i, { cluster, ip: address }] of remote.entries())
      await client.create(R.endpointslices, "default", importedSlice(cluster, address, echoes[i].port));

    const seen = new Set<string>();
    await until("both members answering", async () => {
      seen.add((await exchange(ip, 80)).split(":")[0]);
      return seen.has("k8s-a") && seen.has("k8s-b");
    });
    const slices = await client.list(R.endpointslices, { namespace: "default" });
    assert.deepEqual(
      slices.items.map((s) => s.metadata.name).sort(),
      ["web-k8s-a", "web-k8s-b"],
      "no slice of the member's own controllers, and the imported ones kept",
    );

    // Withdrawing one member's slice takes its endpoints out of the next connection.
    await client.delete(R.endpointslices, "default", "web-k8s-b");
    await until("only k8s-a", async () => {
      for (let i = 0; i < 4; i++) if ((await exchange(ip, 80)) !== "k8s-a:ping") return false;
      return true;
    });
    await client.delete(R.endpointslices, "default", "web-k8s-a");
    await until("no backend left", async () => ["reset", "closed"].includes(await exchange(ip, 80)));
    assert.deepEqual(errors, []);
  } finally {
    await networking.stop();
    for (const echo of echoes) await echo.close();
    await api.stop();
  }
});
