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
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import {
  type Cluster,
  KB_CLUSTERS,
  MEMBER_CLUSTERS,
  type MemberCluster,
  MemberTaints,
  type ReplicaStatus,
} from "@atoll/api";
import { isRecord, R } from "@atoll/kube";
import { kubeconfigDocument, MemberHost } from "@atoll/sim";
import { startFleet, type TestFleet, until } from "../testing/fleet.fixture.ts";

const haveEtcd = existsSync("/usr/bin/etcd") && existsSync("/usr/bin/etcdctl");
const WAIT = 60_000;
let fleet: TestFleet;
let fourth: MemberHost | undefined;

before(async () => {
  if (!haveEtcd) return;
  fleet = await startFleet({
    ids: [144, 145, 146],
    instances: true,
    simOptions: () => ({ runtime: undefined }),
  });
  fourth = new MemberHost({
    name: "k8s-4",
    id: 150,
    dataDir: join(fleet.dir, "k8s-4"),
    storage: "memory",
    port: 6443,
  });
  await fourth.start();
});
after(async () => {
  await fleet?.stop();
  await fourth?.stop();
});

async function cluster(name: string): Promise<Cluster> {
  const found = await fleet.hub.get(KB_CLUSTERS, "default", name);
  assert.ok(found, `Cluster ${name} exists`);
  return found as Cluster;
}

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

async function running(name: string, count: number): Promise<ReplicaStatus[]> {
  return until(
    `${name} Running with ${count} replicas and one leader`,
    async () => {
      const c = await cluster(name);
      const list = c.status?.components?.etcd?.replicas ?? [];
      const ok =
        c.status?.phase === "Running" &&
        list.length === count &&
        list.every((r) => r.ready && r.role) &&
        list.filter((r) => r.role === "leader").length === 1;
      return ok ? list : undefined;
    },
    WAIT,
  );
}

async function memberClient(name: string) {
  if (name === "k8s-4" && fourth?.member) {
    const { HttpKubeClient } = await import("@atoll/kube/http-client");
    const sim = fourth.member;
    return HttpKubeClient.fromKubeconfigText(
      kubeconfigDocument([{ name, server: sim.url, token: sim.token, caPem: sim.caPem }]),
    );
  }
  return fleet.member(name).client;
}

async function endpointOf(replica: ReplicaStatus): Promise<string> {
  const client = await memberClient(replica.member ?? "");
  const pod = await client.get(R.pods, "default", replica.podName);
  const ip = pod && isRecord(pod.status) ? pod.status.podIP : undefined;
  assert.equal(typeof ip, "string", `${replica.podName} has a pod IP`);
  return `http://${ip}:2379`;
}

const etcdctl = (endpoint: string, ...args: string[]) =>
  promisify(execFile)("etcdctl", [`--endpoints=${endpoint}`, "--command-timeout=5s", ...args], {
    env: { ...process.env, ETCDCTL_API: "3" },
    timeout: 15_000,
  });

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
    const rebuilt = await until(
      "delta's third replica rebuilt in another member",
      async () => {
        const c = await cluster("delta");
        const list = c.status?.components?.etcd?.replicas ?? [];
        const ok =
          c.status?.phase === "Running" &&
          list[2]?.member !== "k8s-4" &&
          list.every((r) => r.ready && r.role);
        return ok ? list : undefined;
      },
      WAIT,
    );
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
