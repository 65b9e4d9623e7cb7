import assert from "node:assert/strict";
import { test } from "node:test";
import { Informer, type KubeClient, type KubeObject, R, type Random, systemClock } from "@atoll/kube";
import { ApiEventRecorder } from "../events/recorder.ts";
import { addressPlan, ipToNumber } from "./address-plan.ts";
import type { Service } from "./objects.ts";
import { ServiceAllocator } from "./service-allocator.ts";
import { startApi, until, warningReasons } from "./testing.ts";
import { ANNOTATION_METALLB_IPS } from "./well-known.ts";

const plan = addressPlan(77);
/** Always the same draw, so a second allocator that forgot the first's work would repeat it. */
const fixedRandom: Random = { next: () => 0.5, uuid: () => crypto.randomUUID() };

async function startAllocator(client: KubeClient, options: { pools?: string[] } = {}) {
  const services = new Informer(client, R.services);
  const errors: unknown[] = [];
  const allocator = new ServiceAllocator({
    client,
    services,
    plan,
    loadBalancerPools: options.pools,
    random: fixedRandom,
    events: new ApiEventRecorder({ client, component: "service-allocator", clock: systemClock }),
    onError: (_c, _k, error) => errors.push(error),
  });
  allocator.start();
  services.start();
  await services.synced();
  return {
    allocator,
    errors,
    stop() {
      allocator.stop();
      services.stop();
    },
  };
}

function service(
  name: string,
  spec: Record<string, unknown>,
  annotations?: Record<string, string>,
): KubeObject {
  return {
    metadata: { name, annotations },
    spec: { selector: { app: name }, ports: [{ name: "web", port: 8080 }], ...spec },
  };
}

async function allocated(client: KubeClient, name: string, check: (s: Service) => boolean): Promise<Service> {
  return until(`service ${name} allocated`, async () => {
    const current = (await client.get(R.services, "default", name)) as Service | undefined;
    return current && check(current) ? current : undefined;
  });
}

const inServiceRange = (ip: string | undefined) =>
  ip !== undefined && ipToNumber(ip) > plan.serviceRange[0] && ipToNumber(ip) < plan.serviceRange[1];

test("cluster IPs, node ports and load-balancer IPs are allocated, honoured when asked for, and refused when taken", {
  timeout: 20_000,
}, async () => {
  const api = await startApi();
  const run = await startAllocator(api.client, { pools: ["127.77.200.10-127.77.200.12", "127.77.201.0/30"] });
  try {
    const { client } = api;
    await client.create(R.services, "default", service("plain", {}));
    const plain = await allocated(client, "plain", (s) => s.spec?.clusterIP !== undefined);
    assert.ok(inServiceRange(plain.spec?.clusterIP), plain.spec?.clusterIP);
    // Dynamic allocation leaves the lowest 256 addresses for requested ones.
    assert.ok(ipToNumber(plain.spec?.clusterIP ?? "") > plan.serviceRange[0] + 256);
    assert.deepEqual(plain.spec?.clusterIPs, [plain.spec?.clusterIP]);
    assert.deepEqual(plain.spec?.ipFamilies, ["IPv4"]);
    assert.equal(plain.spec?.ipFamilyPolicy, "SingleStack");

    await client.create(R.services, "default", service("asked", { clusterIP: "127.77.128.20" }));
    await allocated(
      client,
      "asked",
      () => run.allocator.holderOf({ clusterIP: "127.77.128.20" }) === "default/asked",
    );
    await client.create(R.services, "default", service("dup", { clusterIP: "127.77.128.20" }));
    await until("ClusterIPAlreadyAllocated event", async () =>
      (await warningReasons(client, "default", "dup")).includes("ClusterIPAlreadyAllocated"),
    );
    await client.create(R.services, "default", service("outside", { clusterIP: "127.77.0.99" }));
    await until("ClusterIPOutOfRange event", async () =>
      (await warningReasons(client, "default", "outside")).includes("ClusterIPOutOfRange"),
    );
    // Once the holder goes, the refused request is granted.
    await client.delete(R.services, "default", "asked");
    await until(
      "dup takes the freed IP",
      () => run.allocator.holderOf({ clusterIP: "127.77.128.20" }) === "default/dup",
    );

    await client.create(R.services, "default", service("headless", { clusterIP: "None" }));
    await client.create(R.services, "default", service("np", { type: "NodePort" }));
    const np = await allocated(client, "np", (s) => s.spec?.ports?.[0]?.nodePort !== undefined);
    const nodePort = np.spec?.ports?.[0]?.nodePort ?? 0;
    assert.ok(nodePort >= 30000 && nodePort <= 32767, String(nodePort));
    const headless = (await client.get(R.services, "default", "headless")) as Service;
    assert.equal(headless.spec?.clusterIP, "None");
    assert.deepEqual(headless.spec?.clusterIPs, ["None"]);

    const fixedPort = { name: "web", port: 8080, nodePort: 30123 };
    await client.create(R.services, "default", service("np-fixed", { type: "NodePort", ports: [fixedPort] }));
    await until("30123 held", () => run.allocator.holderOf({ nodePort: 30123 }) === "default/np-fixed");
    await client.create(R.services, "default", service("np-dup", { type: "NodePort", ports: [fixedPort] }));
    await until("PortAlreadyAllocated event", async () =>
      (await warningReasons(client, "default", "np-dup")).includes("PortAlreadyAllocated"),
    );

    await client.create(R.services, "default", service("lb", { type: "LoadBalancer" }));
    const lb = await allocated(client, "lb", (s) => (s.status?.loadBalancer?.ingress?.length ?? 0) > 0);
    assert.deepEqual(lb.status?.loadBalancer?.ingress, [{ ip: "127.77.200.10", ipMode: "VIP" }]);
    assert.ok(lb.spec?.ports?.[0]?.nodePort, "a LoadBalancer gets node ports");
    await client.create(
      R.services,
      "default",
      service("lb-annotated", { type: "LoadBalancer" }, { [ANNOTATION_METALLB_IPS]: "127.77.201.2" }),
    );
    await allocated(
      client,
      "lb-annotated",
      (s) => s.status?.loadBalancer?.ingress?.[0]?.ip === "127.77.201.2",
    );
    await client.create(
      R.services,
      "default",
      service("lb-ip", { type: "LoadBalancer", loadBalancerIP: "127.77.200.12" }),
    );
    await allocated(client, "lb-ip", (s) => s.status?.loadBalancer?.ingress?.[0]?.ip === "127.77.200.12");
    await client.create(
      R.services,
      "default",
      service("lb-bad", { type: "LoadBalancer", loadBalancerIP: "127.77.9.9" }),
    );
    await until("AllocationFailed event", async () =>
      (await warningReasons(client, "default", "lb-bad")).includes("AllocationFailed"),
    );
    const lbBad = (await client.get(R.services, "default", "lb-bad")) as Service;
    assert.equal(lbBad.status?.loadBalancer?.ingress, undefined);

    // Leaving LoadBalancer and NodePort frees the node ports and the ingress IP.
    const lbNodePort = lb.spec?.ports?.[0]?.nodePort ?? 0;
    await client.patch(R.services, "default", "lb", "merge", { spec: { type: "ClusterIP" } });
    const demoted = await allocated(
      client,
      "lb",
      (s) => s.spec?.ports?.[0]?.nodePort === undefined && s.status?.loadBalancer?.ingress === undefined,
    );
    assert.equal(demoted.spec?.clusterIP, lb.spec?.clusterIP, "the cluster IP stays");
    assert.equal(run.allocator.holderOf({ nodePort: lbNodePort }), undefined);
    assert.equal(run.allocator.holderOf({ loadBalancerIP: "127.77.200.10" }), undefined);

    // Becoming ExternalName gives the cluster IP back, with the fields that came with it.
    const plainIP = plain.spec?.clusterIP ?? "";
    await client.patch(R.services, "default", "plain", "merge", {
      spec: { type: "ExternalName", externalName: "db.example.com" },
    });
    const external = await allocated(client, "plain", (s) => s.spec?.clusterIP === undefined);
    assert.deepEqual([external.spec?.clusterIPs, external.spec?.ipFamilies], [undefined, undefined]);
    assert.equal(run.allocator.holderOf({ clusterIP: plainIP }), undefined);
    assert.deepEqual(run.errors, []);
  } finally {
    run.stop();
    await api.stop();
  }
});

test("a restarted allocator rebuilds its table from the Services and never hands a value out twice", {
  timeout: 20_000,
}, async () => {
  const api = await startApi();
  const { client } = api;
  let run = await startAllocator(client);
  try {
    await client.create(R.services, "default", service("first", { type: "LoadBalancer" }));
    const first = await allocated(client, "first", (s) => (s.status?.loadBalancer?.ingress?.length ?? 0) > 0);
    run.stop();
    // Created while no allocator runs, and named to be reconciled before "first" after the restart.
    await client.create(R.services, "default", service("a-second", { type: "LoadBalancer" }));
    run = await startAllocator(client);
    const second = await allocated(
      client,
      "a-second",
      (s) => (s.status?.loadBalancer?.ingress?.length ?? 0) > 0,
    );
    assert.notEqual(second.spec?.clusterIP, first.spec?.clusterIP);
    assert.notEqual(second.spec?.ports?.[0]?.nodePort, first.spec?.ports?.[0]?.nodePort);
    assert.notEqual(
      second.status?.loadBalancer?.ingress?.[0]?.ip,
      first.status?.loadBalancer?.ingress?.[0]?.ip,
    );
    const again = (await client.get(R.services, "default", "first")) as Service;
    assert.deepEqual(again.spec, first.spec, "the first Service keeps what it had");
    assert.equal(run.allocator.holderOf({ clusterIP: first.spec?.clusterIP ?? "" }), "default/first");

    // Deleting frees: a new Service may ask for the IP.
    await client.delete(R.services, "default", "first");
    await until(
      "first released",
      () => run.allocator.holderOf({ clusterIP: first.spec?.clusterIP ?? "" }) === undefined,
    );
    await client.create(R.services, "default", service("third", { clusterIP: first.spec?.clusterIP }));
    await until(
      "third holds it",
      () => run.allocator.holderOf({ clusterIP: first.spec?.clusterIP ?? "" }) === "default/third",
    );
  } finally {
    run.stop();
    await api.stop();
  }
});
