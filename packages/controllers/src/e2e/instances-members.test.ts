/**
 * Managing the members under running database instances, as the KubeBlocks
 * guide does, for real (three sim members running etcd, a fourth joined
 * later): a cordoned member keeps its replicas while new instances avoid
 * it; a joined member takes a new instance's replicas; draining a member
 * moves an instance's replica to another member (the engine forgets the old
 * copy, the new one joins with the data replicated to it); then the drained
 * member is unjoined.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  KB_CLUSTERS,
  MEMBER_CLUSTERS,
  type MemberCluster,
  MemberTaints,
  type ReplicaStatus,
} from "@atoll/api";
import { type KubeClient, R } from "@atoll/kube";
import { HttpKubeClient } from "@atoll/kube/http-client";
import { kubeconfigDocument, MemberHost } from "@atoll/sim";
import {
  etcdctl,
  haveEtcd,
  instancesAt,
  replicaEndpoint,
  startEtcdFleet,
} from "../testing/etcd-instance.fixture.ts";
import { type TestFleet, until } from "../testing/fleet.fixture.ts";

const WAIT = 60_000;
let fleet: TestFleet;
let fourth: MemberHost | undefined;
let fourthClient: HttpKubeClient | undefined;

before(async () => {
  if (!haveEtcd) return;
  fleet = await startEtcdFleet([144, 145, 146], { mesh: false });
  fourth = new MemberHost({
    name: "k8s-4",
    id: 150,
    dataDir: join(fleet.dir, "k8s-4"),
    storage: "memory",
    port: 6443,
  });
  await fourth.start();
  const sim = fourth.member;
  if (sim) {
    fourthClient = HttpKubeClient.fromKubeconfigText(
      kubeconfigDocument([{ name: "k8s-4", server: sim.url, token: sim.token, caPem: sim.caPem }]),
    );
  }
});
after(async () => {
  fourthClient?.close();
  await fleet?.stop();
  await fourth?.stop();
});

const cluster = (name: string) => instancesAt(fleet.hub).cluster(name);

async function createInstance(name: string, replicas: number, placement?: string): Promise<void> {
  await fleet.hub.create(KB_CLUSTERS, "default", {
    apiVersion: "apps.kubeblocks.io/v1alpha1",
    kind: "Cluster",
    metadata: {
      name,
      ...(placement ? { annotations: { "apps.kubeblocks.io/multi-cluster-placement": placement } } : {}),
    },
    spec: {
      terminationPolicy: "WipeOut",
      componentSpecs: [
        {
          name: "etcd",
          componentDef: "etcd-0.9.0",
          replicas,
          volumeClaimTemplates: [
            {
              name: "data",
              spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
            },
          ],
          services: [
            {
              name: "peer",
              serviceType: "LoadBalancer",
              podService: true,
              annotations: { "apps.kubeblocks.io/multi-cluster-service-placement": "unique" },
            },
          ],
        },
      ],
    },
  });
}

const running = (name: string, count: number) =>
  instancesAt(fleet.hub).running(name, { count, timeoutMs: WAIT });

const memberClient = (name: string): KubeClient =>
  name === "k8s-4" && fourthClient ? fourthClient : fleet.member(name).client;

const endpointOf = (replica: ReplicaStatus) => replicaEndpoint(memberClient(replica.member ?? ""), replica);

describe("members managed under running instances", { skip: !haveEtcd && "etcd is not installed" }, () => {
  it("cordon: existing replicas keep running, a new instance avoids the member", async () => {
    await createInstance("alpha", 3);
    const replicas = await running("alpha", 3);
    assert.deepEqual(
      replicas.map((r) => r.member),
      ["k8s-1", "k8s-2", "k8s-3"],
    );
    assert.match((await etcdctl(await endpointOf(replicas[0]), "put", "k", "v")).stdout, /OK/);
    await fleet.hub.patch(MEMBER_CLUSTERS, undefined, "k8s-3", "merge", { spec: { unschedulable: true } });
    await createInstance("bravo", 2);
    const bravo = await running("bravo", 2);
    assert.deepEqual(
      bravo.map((r) => r.member),
      ["k8s-1", "k8s-2"],
    );
    assert.equal((await cluster("alpha")).status?.phase, "Running");
    await fleet.hub.patch(MEMBER_CLUSTERS, undefined, "k8s-3", "merge", { spec: { unschedulable: false } });
  });

  it("join: a new member takes a new instance's replica", async () => {
    const sim = fourth?.member;
    assert.ok(sim);
    await fleet.hub.create(R.secrets, "kb-system", {
      metadata: { name: "k8s-4" },
      type: "kubernetes.kubeconfig",
      stringData: {
        kubeconfig: kubeconfigDocument([
          { name: "k8s-4", server: sim.url, token: sim.token, caPem: sim.caPem },
        ]),
      },
    });
    await fleet.hub.create(MEMBER_CLUSTERS, undefined, {
      apiVersion: "cluster.atoll.io/v1alpha1",
      kind: "MemberCluster",
      metadata: { name: "k8s-4" },
      spec: {
        kubeconfig: {
          secretRef: { namespace: "kb-system", name: "k8s-4" },
          key: "kubeconfig",
          context: "k8s-4",
        },
      },
    });
    await until(
      "k8s-4 Ready",
      async () => {
        const mc = (await fleet.hub.get(MEMBER_CLUSTERS, undefined, "k8s-4")) as MemberCluster | undefined;
        return mc?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") || undefined;
      },
      WAIT,
    );
    await createInstance("charlie", 1, "k8s-4");
    const charlie = await running("charlie", 1);
    assert.equal(charlie[0].member, "k8s-4");
  });

  it("drain: the replica moves to another member with the data, then the member is unjoined", async () => {
    await fleet.hub.patch(MEMBER_CLUSTERS, undefined, "k8s-3", "merge", {
      spec: {
        unschedulable: true,
        taints: [{ key: MemberTaints.drain, effect: "NoExecute", timeAdded: new Date().toISOString() }],
      },
    });
    const moved = await until(
      "alpha's third replica running in k8s-4",
      async () => {
        const c = await cluster("alpha");
        const list = c.status?.components?.etcd?.replicas ?? [];
        const ok =
          c.status?.phase === "Running" &&
          list[2]?.member === "k8s-4" &&
          list.every((r) => r.ready && r.role);
        return ok ? list : undefined;
      },
      WAIT,
    );
    assert.deepEqual(
      moved.map((r) => r.member),
      ["k8s-1", "k8s-2", "k8s-4"],
    );
    assert.equal(
      (await etcdctl(await endpointOf(moved[2]), "get", "k", "--print-value-only")).stdout.trim(),
      "v",
    );
    const names = (await etcdctl(await endpointOf(moved[0]), "member", "list")).stdout.trim().split("\n");
    assert.equal(names.length, 3, names.join("\n"));
    await until(
      "nothing of alpha left in k8s-3",
      async () => {
        const pods = await fleet.member("k8s-3").client.list(R.pods, {
          namespace: "default",
          labelSelector: "app.kubernetes.io/instance=alpha",
        });
        return pods.items.length === 0 || undefined;
      },
      30_000,
    );
    await fleet.hub.delete(MEMBER_CLUSTERS, undefined, "k8s-3");
    await until(
      "k8s-3 unjoined",
      async () => (await fleet.hub.get(MEMBER_CLUSTERS, undefined, "k8s-3")) === undefined || undefined,
      30_000,
    );
    assert.equal((await cluster("alpha")).status?.phase, "Running");
  });

  it("a lost member's replica is rebuilt elsewhere when the instance asks for it", async () => {
    await createInstance("delta", 3);
    const placed = await running("delta", 3);
    assert.deepEqual(
      placed.map((r) => r.member),
      ["k8s-1", "k8s-2", "k8s-4"],
    );
    await fleet.hub.patch(KB_CLUSTERS, "default", "delta", "merge", {
      metadata: { annotations: { "instances.atoll.io/rebuild-lost-replicas": "true" } },
    });
    assert.match((await etcdctl(await endpointOf(placed[0]), "put", "d", "kept")).stdout, /OK/);
    await fourth?.setMemberDown(true);
    let last: unknown;
    const rebuilt = await until(
      "delta's third replica rebuilt in another member",
      async () => {
        const c = await cluster("delta");
        last = c.status;
        const list = c.status?.components?.etcd?.replicas ?? [];
        const ok =
          c.status?.phase === "Running" &&
          list[2]?.member !== "k8s-4" &&
          list.every((r) => r.ready && r.role);
        return ok ? list : undefined;
      },
      WAIT,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; last status: ${JSON.stringify(last)}`, { cause: error });
    });
    assert.equal(
      (await etcdctl(await endpointOf(rebuilt[2]), "get", "d", "--print-value-only")).stdout.trim(),
      "kept",
    );
    // An instance without the annotation waits for its member.
    const charlie = await cluster("charlie");
    assert.equal(charlie.status?.components?.etcd?.replicas?.[0]?.member, "k8s-4");
    assert.equal(charlie.status?.phase, "Failed");
    await fourth?.setMemberDown(false);
    await running("charlie", 1);
  });
});
