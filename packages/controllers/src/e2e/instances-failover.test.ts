/**
 * A cross-member etcd through failures, for real: the guide's self-hosted
 * instance on three meshed sim members (SQLite-backed, so a member that
 * dies comes back with its state, as a real cluster does). Killing the
 * leader's process elects another leader, shown at the hub, and the killed
 * replica rejoins with its data; a member dying makes its replica Unknown and
 * the instance Abnormal while the others serve, new instances avoid it, and
 * when it returns its replica rejoins and the instance heals.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { KB_CLUSTERS, type ReplicaStatus } from "@atoll/api";
import { isRecord, R } from "@atoll/kube";
import {
  etcdctl,
  haveEtcd,
  instancesAt,
  readValue,
  replicaEndpoint,
  startEtcdFleet,
} from "../testing/etcd-instance.fixture.ts";
import { type TestFleet, until } from "../testing/fleet.fixture.ts";

const SEEDS = join(import.meta.dirname, "../../../../../shared/seed-manifests");
let fleet: TestFleet;
let name = "";

before(async () => {
  if (!haveEtcd) return;
  fleet = await startEtcdFleet([120, 123, 124], { storage: "sqlite" });
});
after(async () => {
  await fleet?.stop();
});

const instances = () => instancesAt(fleet.hub);
const cluster = (instance: string) => instances().cluster(instance);
const replicasOf = (instance: string) => instances().replicas(instance);
const runningWithLeader = (instance: string) => instances().running(instance);
const endpointOf = (replica: ReplicaStatus) =>
  replicaEndpoint(fleet.member(replica.member ?? "").client, replica);
const valueThrough = (replica: ReplicaStatus, key: string) => readValue(() => endpointOf(replica), key);

describe("a cross-member etcd through failures", { skip: !haveEtcd && "etcd is not installed" }, () => {
  it("forms one cluster and takes a write", async () => {
    const file = join(fleet.dir, "etcd.yaml");
    await writeFile(file, await readFile(join(SEEDS, "etcd-self-hosted.yaml"), "utf8"));
    const created = await fleet.kubectl(["create", "-f", file, "-o", "name"]);
    assert.equal(created.code, 0, created.stderr);
    name = created.stdout.trim().split("/").pop() ?? "";
    const replicas = await runningWithLeader(name);
    assert.match((await etcdctl(await endpointOf(replicas[0]), "put", "before", "kept")).stdout, /OK/);
  });

  it("leader's process killed: a new leader at the hub, the old one back with its data", async () => {
    const replicas = await replicasOf(name);
    const leader = replicas.find((r) => r.role === "leader");
    assert.ok(leader?.member);
    const killedAt = Date.now();
    fleet.member(leader.member).host.killContainer("default", leader.podName, "etcd");
    const next = await until(
      "another replica shown as leader at the hub",
      async () => {
        const now = await replicasOf(name);
        const found = now.find((r) => r.role === "leader");
        return found && found.podName !== leader.podName ? found : undefined;
      },
      20_000,
    );
    const electedMs = Date.now() - killedAt;
    assert.notEqual(next.podName, leader.podName);
    const back = await until(
      "the killed replica Running again, as a follower",
      async () => {
        const now = await replicasOf(name);
        const again = now.find((r) => r.podName === leader.podName);
        return again?.ready && again.role === "follower" ? again : undefined;
      },
      60_000,
    );
    const pod = await fleet.member(leader.member).client.get(R.pods, "default", leader.podName);
    const statuses =
      isRecord(pod?.status) && Array.isArray(pod.status.containerStatuses)
        ? pod.status.containerStatuses
        : [];
    assert.ok(
      isRecord(statuses[0]) && Number(statuses[0].restartCount) >= 1,
      "the container was restarted in place",
    );
    assert.equal(await valueThrough(back, "before"), "kept");
    await runningWithLeader(name);
    console.log(`# leader killed → new leader at the hub in ${electedMs} ms`);
  });

  it("a member dies: its replica Unknown, the instance Abnormal but serving, new instances avoid it", async () => {
    const replicas = await replicasOf(name);
    const victim = replicas.find((r) => r.role === "leader") ?? replicas[0];
    const member = victim.member ?? "";
    await fleet.member(member).host.setMemberDown(true);
    const abnormal = await until(
      "the instance Abnormal with the dead member's replica Unknown",
      async () => {
        const c = await cluster(name);
        const lost = c.status?.components?.etcd?.replicas?.find((r) => r.podName === victim.podName);
        return c.status?.phase === "Abnormal" && lost?.phase === "Unknown" ? c : undefined;
      },
      30_000,
    );
    assert.ok(abnormal);
    const survivors = replicas.filter((r) => r.member !== member);
    await until(
      "a leader among the survivors",
      async () => {
        const now = await replicasOf(name);
        return now.some((r) => r.member !== member && r.role === "leader") || undefined;
      },
      20_000,
    );
    assert.match((await etcdctl(await endpointOf(survivors[0]), "put", "during", "outage")).stdout, /OK/);
    assert.equal(await valueThrough(survivors[1], "during"), "outage");

    // A new instance without a placement annotation goes to the members that are Ready.
    await fleet.hub.create(KB_CLUSTERS, "default", {
      apiVersion: "apps.kubeblocks.io/v1alpha1",
      kind: "Cluster",
      metadata: { name: "avoids" },
      spec: {
        terminationPolicy: "WipeOut",
        componentSpecs: [
          {
            name: "etcd",
            componentDef: "etcd-0.9.0",
            replicas: 2,
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
    const placed = await until(
      "the new instance placed",
      async () => {
        const list = await replicasOf("avoids");
        return list.length === 2 && list.every((r) => r.member) ? list : undefined;
      },
      20_000,
    );
    assert.ok(
      placed.every((r) => r.member !== member),
      `placed on ${placed.map((r) => r.member).join(",")}`,
    );
    await runningWithLeader("avoids");

    await fleet.member(member).host.setMemberDown(false);
    const healed = await runningWithLeader(name);
    const returned = healed.find((r) => r.podName === victim.podName);
    assert.ok(returned);
    assert.equal(await valueThrough(returned, "during"), "outage");
    assert.equal(await valueThrough(returned, "before"), "kept");
  });
});
