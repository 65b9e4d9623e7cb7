/**
 * The KubeBlocks multi-cluster guide's etcd, for real: a hub and three
 * meshed sim members running real etcd processes, the guide's manifests
 * created verbatim with kubectl, and the built-in `etcd-0.9.0` definition.
 * Each instance must form one etcd cluster across the members — a value
 * put through one replica is read through another — with one leader.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ReplicaStatus } from "@atoll/api";
import { isRecord, R } from "@atoll/kube";
import {
  engineMembers,
  etcdctl,
  haveEtcd,
  instancesAt,
  readValue,
  replicaEndpoint,
  startEtcdFleet,
} from "../testing/etcd-instance.fixture.ts";
import type { TestFleet } from "../testing/fleet.fixture.ts";

const SEEDS = join(import.meta.dirname, "../../../../../shared/seed-manifests");
let fleet: TestFleet;

before(async () => {
  if (!haveEtcd) return;
  fleet = await startEtcdFleet([114, 115, 116]);
});
after(async () => {
  await fleet?.stop();
});

let files = 0;
async function create(manifest: string): Promise<string> {
  const file = join(fleet.dir, `instance-${files++}.yaml`);
  await writeFile(file, manifest);
  const created = await fleet.kubectl(["create", "-f", file, "-o", "name"]);
  assert.equal(created.code, 0, created.stderr);
  return created.stdout.trim().split("/").pop() ?? "";
}

const endpointOf = (replica: ReplicaStatus) =>
  replicaEndpoint(fleet.member(replica.member ?? "").client, replica);

/** Waits for Running with one leader, then writes through replica 0 and reads through replica 2. */
async function provesWorkingEtcd(name: string): Promise<ReplicaStatus[]> {
  const running = await instancesAt(fleet.hub).running(name, { count: 3 });
  assert.deepEqual(
    running.map((r) => r.member),
    ["k8s-1", "k8s-2", "k8s-3"],
  );
  assert.deepEqual(running.map((r) => r.role).sort(), ["follower", "follower", "leader"]);
  const first = await endpointOf(running[0]);
  assert.match((await etcdctl(first, "put", `greeting-${name}`, "hello")).stdout, /OK/);
  assert.equal(await readValue(() => endpointOf(running[2]), `greeting-${name}`, 10_000), "hello");
  assert.equal((await engineMembers(first)).length, 3);
  return running;
}

describe("the guide's etcd across three members", { skip: !haveEtcd && "etcd is not installed" }, () => {
  it("self-hosted: ClusterIP pod services made global through the mesh", async () => {
    const name = await create(await readFile(join(SEEDS, "etcd-self-hosted.yaml"), "utf8"));
    const running = await provesWorkingEtcd(name);
    // Each pod reaches its peers by service name, resolved to the copy of the peer's service in its own member.
    const pod = await fleet.member("k8s-2").client.get(R.pods, "default", running[1].podName);
    const aliases = isRecord(pod?.spec) && Array.isArray(pod.spec.hostAliases) ? pod.spec.hostAliases : [];
    const peer0 = aliases.find(
      (a) => isRecord(a) && Array.isArray(a.hostnames) && a.hostnames[0] === `${name}-etcd-peer-0`,
    );
    const local = await fleet.member("k8s-2").client.get(R.services, "default", `${name}-etcd-peer-0`);
    assert.ok(isRecord(peer0) && isRecord(local?.spec));
    assert.equal(peer0.ip, local.spec.clusterIP);
  });

  it("cloud: LoadBalancer pod services, each only in its pod's member", async () => {
    const name = await create(await readFile(join(SEEDS, "etcd-cloud-ack.yaml"), "utf8"));
    const running = await provesWorkingEtcd(name);
    for (const [i, replica] of running.entries()) {
      const service = await fleet
        .member(replica.member ?? "")
        .client.get(R.services, "default", `${name}-etcd-peer-${i}`);
      const ingress =
        isRecord(service?.status) && isRecord(service.status.loadBalancer)
          ? service.status.loadBalancer.ingress
          : [];
      assert.ok(Array.isArray(ingress) && isRecord(ingress[0]));
      assert.equal(replica.address, ingress[0].ip, `${replica.podName} is addressed by its load balancer`);
      for (const other of ["k8s-1", "k8s-2", "k8s-3"].filter((m) => m !== replica.member)) {
        assert.equal(
          await fleet.member(other).client.get(R.services, "default", `${name}-etcd-peer-${i}`),
          undefined,
        );
      }
    }
  });

  it("NodePort pod services: peers reach each other at node addresses", async () => {
    const manifest = (await readFile(join(SEEDS, "etcd-self-hosted.yaml"), "utf8"))
      .replace("serviceType: ClusterIP", "serviceType: NodePort")
      .replace("generateName: etcd", "generateName: etcdnp");
    const name = await create(manifest);
    await provesWorkingEtcd(name);
  });
});
