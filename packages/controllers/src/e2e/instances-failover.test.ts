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
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { type Cluster, KB_CLUSTERS, type ReplicaStatus } from "@atoll/api";
import { isRecord, R } from "@atoll/kube";
import { startFleet, type TestFleet, until } from "../testing/fleet.fixture.ts";

const SEEDS = join(import.meta.dirname, "../../../../../shared/seed-manifests");
const haveEtcd = existsSync("/usr/bin/etcd") && existsSync("/usr/bin/etcdctl");
const WAIT = 60_000;
let fleet: TestFleet;
let name = "";

before(async () => {
  if (!haveEtcd) return;
  fleet = await startFleet({
    ids: [120, 123, 124],
    instances: true,
    mesh: true,
    simOptions: () => ({ runtime: undefined, storage: "sqlite" }),
  });
});
after(async () => {
  await fleet?.stop();
});

async function cluster(instance: string): Promise<Cluster> {
  const found = await fleet.hub.get(KB_CLUSTERS, "default", instance);
  assert.ok(found, `Cluster ${instance} exists`);
  return found as Cluster;
}

const replicasOf = async (instance: string, component = "etcd") =>
  (await cluster(instance)).status?.components?.[component]?.replicas ?? [];

async function endpointOf(replica: ReplicaStatus): Promise<string> {
  const pod = await fleet.member(replica.member ?? "").client.get(R.pods, "default", replica.podName);
  const ip = pod && isRecord(pod.status) ? pod.status.podIP : undefined;
  assert.equal(typeof ip, "string", `${replica.podName} has a pod IP`);
  return `http://${ip}:2379`;
}

const etcdctl = (endpoint: string, ...args: string[]) =>
  promisify(execFile)("etcdctl", [`--endpoints=${endpoint}`, "--command-timeout=5s", ...args], {
    env: { ...process.env, ETCDCTL_API: "3" },
    timeout: 15_000,
  });

async function readValue(replica: ReplicaStatus, key: string): Promise<string> {
  return until(
    `${key} read through ${replica.podName}`,
    async () => {
      const got = await etcdctl(await endpointOf(replica), "get", key, "--print-value-only").catch(
        () => undefined,
      );
      return got?.stdout.trim() || undefined;
    },
    20_000,
  );
}

async function runningWithLeader(instance: string): Promise<ReplicaStatus[]> {
  return until(
    `${instance} Running with one leader`,
    async () => {
      const c = await cluster(instance);
      const list = c.status?.components?.etcd?.replicas ?? [];
      return c.status?.phase === "Running" && list.filter((r) => r.role === "leader").length === 1
        ? list
        : undefined;
    },
    WAIT,
  );
}

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
      WAIT,
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
    assert.equal(await readValue(back, "before"), "kept");
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
    assert.equal(await readValue(survivors[1], "during"), "outage");

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
    assert.equal(await readValue(returned, "during"), "outage");
    assert.equal(await readValue(returned, "before"), "kept");
  });
});
