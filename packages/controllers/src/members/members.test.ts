import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { AtollAnnotations, MEMBER_CLUSTERS, type MemberCluster, MemberTaints } from "@atoll/api";
import { ApiServer, openStore, type Store } from "@atoll/apiserver";
import { type KubeClient, R } from "@atoll/kube";
import { HttpKubeClient } from "@atoll/kube/http-client";
import { kubeconfigDocument, MemberHost } from "@atoll/sim";
import { type HubControllers, startHubControllers } from "../hub-controllers.ts";
import { CLUSTER_POD_ROLE } from "./bootstrap.ts";
import { httpConnector } from "./http-connector.ts";

const IDS = [111, 112, 113];

let dir: string;
let store: Store;
let hubServer: ApiServer;
let hub: KubeClient;
let hosts: MemberHost[];
let controllers: HubControllers;

async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const member = async (name: string) =>
  (await hub.get(MEMBER_CLUSTERS, undefined, name)) as MemberCluster | undefined;
const conditionOf = (mc: MemberCluster | undefined, type: string) =>
  mc?.status?.conditions?.find((c) => c.type === type);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "atoll-hub-"));
  store = await openStore("memory");
  hubServer = await ApiServer.start({ store });
  hub = HttpKubeClient.fromKubeconfigText(
    kubeconfigDocument([{ name: "hub", server: hubServer.url, token: "unused" }]),
  );
  hosts = [];
  for (const [i, id] of IDS.entries()) {
    const host = new MemberHost({
      name: `k8s-${i + 1}`,
      id,
      dataDir: join(dir, `k8s-${i + 1}`),
      storage: "memory",
      port: 6443,
    });
    await host.start();
    hosts.push(host);
  }
  // The KubeBlocks guide's shape: one kubeconfig Secret in kb-system with contexts k8s-1, k8s-2, k8s-3.
  const kubeconfig = kubeconfigDocument(
    hosts.map((h) => ({
      name: h.member?.name ?? "",
      server: h.member?.url ?? "",
      token: h.member?.token ?? "",
      caPem: h.member?.caPem,
    })),
  );
  await hub.create(R.namespaces, undefined, { metadata: { name: "kb-system" } });
  await hub.create(R.secrets, "kb-system", {
    metadata: { name: "members" },
    type: "kubernetes.kubeconfig",
    stringData: { kubeconfig },
  });
  controllers = await startHubControllers({
    hub,
    connect: httpConnector,
    health: { probeIntervalMs: 200, unknownAfterMs: 1500, evictionTimeoutMs: 2500, probeTimeoutMs: 500 },
    kubeBlocks: {
      secret: { namespace: "kb-system", name: "members" },
      contexts: ["k8s-1", "k8s-2", "k8s-3"],
      disabledContexts: [],
    },
  });
});

after(async () => {
  await controllers?.stop();
  for (const host of hosts) await host.stop();
  (hub as HttpKubeClient | undefined)?.close();
  await hubServer?.stop();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("members at the hub", () => {
  test("three members join from the KubeBlocks-style Secret and report correct summaries", async () => {
    for (const name of ["k8s-1", "k8s-2", "k8s-3"]) {
      const mc = await until(`${name} Ready`, async () => {
        const current = await member(name);
        return conditionOf(current, "Ready")?.status === "True" && current?.status?.nodeSummary
          ? current
          : undefined;
      });
      assert.equal(conditionOf(mc, "Joined")?.status, "True");
      assert.deepEqual(mc.status?.nodeSummary, { totalNum: 3, readyNum: 3 });
      assert.equal(mc.status?.kubernetesVersion, "v1.32.0+atoll");
      assert.match(mc.status?.apiEndpoint ?? "", /^https:\/\/127\.11\d\.0\.1:6443$/);
      assert.ok(mc.status?.apiEnablements?.some((a) => a.groupVersion === "apps/v1"));
      assert.equal(mc.status?.resourceSummary?.allocatable?.pods, "330");
    }
    const role = await hosts[0].member?.server
      .client("test")
      .get(R.clusterroles, undefined, CLUSTER_POD_ROLE);
    assert.ok(role, "the member got Atoll's ClusterRole");
  });

  test("an unreachable member turns Unknown and tainted, then Ready again with the taints gone", async () => {
    await hosts[1].setApiDown(true);
    const down = await until("k8s-2 Unknown with NoExecute", async () => {
      const mc = await member("k8s-2");
      const taints = mc?.spec.taints ?? [];
      return conditionOf(mc, "Ready")?.status === "Unknown" && taints.some((t) => t.effect === "NoExecute")
        ? mc
        : undefined;
    });
    assert.deepEqual((down.spec.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort(), [
      `${MemberTaints.unreachable}:NoExecute`,
      `${MemberTaints.unreachable}:NoSchedule`,
    ]);
    await hosts[1].setApiDown(false);
    const back = await until("k8s-2 Ready", async () => {
      const mc = await member("k8s-2");
      return conditionOf(mc, "Ready")?.status === "True" && (mc?.spec.taints ?? []).length === 0
        ? mc
        : undefined;
    });
    assert.equal(conditionOf(back, "Ready")?.reason, "ClusterReady");
  });

  test("cordon and disable switch on and off at run time", async () => {
    await hub.patch(MEMBER_CLUSTERS, undefined, "k8s-3", "merge", { spec: { unschedulable: true } });
    await until("unschedulable taint", async () =>
      (await member("k8s-3"))?.spec.taints?.some((t) => t.key === MemberTaints.unschedulable),
    );
    await hub.patch(MEMBER_CLUSTERS, undefined, "k8s-3", "merge", { spec: { unschedulable: false } });
    await until("taint removed", async () => ((await member("k8s-3"))?.spec.taints ?? []).length === 0);

    await hub.patch(MEMBER_CLUSTERS, undefined, "k8s-3", "merge", { spec: { disabled: true } });
    await until(
      "disabled",
      async () => conditionOf(await member("k8s-3"), "Ready")?.reason === "MemberDisabled",
    );
    assert.equal(
      controllers.members.runtime("k8s-3"),
      undefined,
      "no informers or probes for a disabled member",
    );
    await hub.patch(MEMBER_CLUSTERS, undefined, "k8s-3", "merge", { spec: { disabled: false } });
    await until(
      "enabled and Ready",
      async () => conditionOf(await member("k8s-3"), "Ready")?.status === "True",
    );
  });

  test("a deleted ClusterRole in a member is restored", async () => {
    const client = hosts[0].member?.server.client("someone") as KubeClient;
    await client.delete(R.clusterroles, undefined, CLUSTER_POD_ROLE);
    await until(
      "restored",
      async () => (await client.get(R.clusterroles, undefined, CLUSTER_POD_ROLE)) !== undefined,
    );
  });

  test("bad input gets a clear Joined=False reason", async () => {
    await hub.create(R.secrets, "kb-system", {
      metadata: { name: "broken" },
      type: "kubernetes.kubeconfig",
      stringData: { kubeconfig: "{{{ not yaml" },
    });
    const [one, two] = hosts.map((h) => h.member);
    const wrongCa = kubeconfigDocument([
      { name: "x", server: one?.url ?? "", token: one?.token ?? "", caPem: two?.caPem },
    ]);
    await hub.create(R.secrets, "kb-system", {
      metadata: { name: "wrong-ca" },
      type: "kubernetes.kubeconfig",
      stringData: { kubeconfig: wrongCa },
    });
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ["wrongca", { secretRef: { namespace: "kb-system", name: "wrong-ca" } }, "CertificateInvalid"],
      ["unreadable", { secretRef: { namespace: "kb-system", name: "broken" } }, "InvalidKubeconfig"],
      [
        "nocontext",
        { secretRef: { namespace: "kb-system", name: "members" }, context: "k8s-9" },
        "ContextNotFound",
      ],
      ["nosecret", { secretRef: { namespace: "kb-system", name: "absent" } }, "SecretNotFound"],
      [
        "twice",
        { secretRef: { namespace: "kb-system", name: "members" }, context: "k8s-1" },
        "DuplicateMember",
      ],
    ];
    for (const [name, kubeconfig] of cases) {
      await hub.create(MEMBER_CLUSTERS, undefined, {
        apiVersion: "cluster.atoll.io/v1alpha1",
        kind: "MemberCluster",
        metadata: { name },
        spec: { kubeconfig },
      });
    }
    for (const [name, , reason] of cases) {
      const joined = await until(`${name} rejected`, async () => {
        const found = conditionOf(await member(name), "Joined");
        return found?.status === "False" ? found : undefined;
      });
      assert.equal(joined.reason, reason, `${name}: ${joined.message}`);
      await hub.delete(MEMBER_CLUSTERS, undefined, name);
    }
  });

  test("unjoin drains what the hub placed, then the MemberCluster goes", async () => {
    const client = hosts[2].member?.server.client("check") as KubeClient;
    await hub.patch(MEMBER_CLUSTERS, undefined, "k8s-3", "merge", {
      metadata: { annotations: { [AtollAnnotations.unjoinPolicy]: "drain" } },
    });
    await hub.delete(MEMBER_CLUSTERS, undefined, "k8s-3");
    await until("MemberCluster gone", async () => (await member("k8s-3")) === undefined);
    assert.equal(
      await client.get(R.clusterroles, undefined, CLUSTER_POD_ROLE),
      undefined,
      "Atoll's ClusterRole removed",
    );
  });
});
