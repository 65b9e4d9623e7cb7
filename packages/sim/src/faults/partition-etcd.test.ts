import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { R } from "@atoll/kube";
import { meshAll, startTestMesh, type TestMesh, type TestMeshMember } from "../mesh/testing.ts";
import { ANNOTATION_GLOBAL_SERVICE } from "../mesh/well-known.ts";
import { until } from "../network/testing.ts";
import { defaultRuntimeConfig, searchPath } from "../runtime/index.ts";

/**
 * A three-replica etcd across three meshed members (one replica each), the
 * README's shape: each replica reaches its peers through global per-pod
 * Services, at the same names in every member. API port 6643, so this file
 * can run beside the other tests of members 159, 160 and 170.
 */
const IDS = [159, 160, 170];
const DETECTION_MS = 2000;
const haveEtcd = existsSync("/usr/bin/etcd") && existsSync("/usr/bin/etcdctl");
/** The cluster IP of replica `replica`'s Service in member `id`, named in each pod's /etc/hosts. */
const serviceIp = (id: number, replica: number) => `127.${id}.130.${10 + replica}`;

let mesh: TestMesh;

before(async () => {
  if (!haveEtcd) return;
  mesh = await startTestMesh(IDS, {
    port: 6643,
    runtime: defaultRuntimeConfig(searchPath(process.env.PATH ?? "")),
    mesh: { failureDetectionMs: DETECTION_MS, probeIntervalMs: 100, probeTimeoutMs: 1000 },
  });
  await meshAll(mesh);
});

after(async () => {
  await mesh?.stop();
});

async function createReplica(member: TestMeshMember, replica: number): Promise<void> {
  for (const j of [0, 1, 2]) {
    await member.api.create(R.services, "default", {
      metadata: { name: `etcd-${j}`, annotations: { [ANNOTATION_GLOBAL_SERVICE]: "true" } },
      spec: {
        clusterIP: serviceIp(member.id, j),
        selector: { "etcd-replica": `etcd-${j}` },
        ports: [
          { name: "client", port: 2379 },
          { name: "peer", port: 2380 },
        ],
      },
    });
  }
  const name = `etcd-${replica}`;
  await member.api.create(R.pods, "default", {
    metadata: { name, labels: { "etcd-replica": name } },
    spec: {
      hostAliases: [0, 1, 2].map((j) => ({ ip: serviceIp(member.id, j), hostnames: [`etcd-${j}.etcd`] })),
      containers: [
        {
          name: "etcd",
          image: "quay.io/coreos/etcd:v3.4.23",
          command: ["etcd"],
          args: [
            `--name=${name}`,
            "--data-dir=/var/run/etcd/data",
            "--listen-peer-urls=http://$(POD_IP):2380",
            "--listen-client-urls=http://$(POD_IP):2379",
            `--advertise-client-urls=http://${name}.etcd:2379`,
            `--initial-advertise-peer-urls=http://${name}.etcd:2380`,
            "--initial-cluster=etcd-0=http://etcd-0.etcd:2380,etcd-1=http://etcd-1.etcd:2380,etcd-2=http://etcd-2.etcd:2380",
            "--initial-cluster-state=new",
            "--initial-cluster-token=atoll-partition",
          ],
          env: [{ name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } }],
          ports: [
            { name: "client", containerPort: 2379 },
            { name: "peer", containerPort: 2380 },
          ],
          readinessProbe: { tcpSocket: { port: 2379 }, periodSeconds: 1 },
          volumeMounts: [{ name: "data", mountPath: "/var/run/etcd" }],
        },
      ],
      volumes: [{ name: "data", emptyDir: {} }],
    },
  });
}

/** etcdctl against one replica, through its own member's cluster IP for it. */
async function etcdctl(member: TestMeshMember, replica: number, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(
    "etcdctl",
    [`--endpoints=${serviceIp(member.id, replica)}:2379`, "--command-timeout=2s", ...args],
    { env: { ...process.env, ETCDCTL_API: "3" }, timeout: 10_000 },
  );
  return stdout.trim();
}

const attempt = (fn: () => Promise<string>) => fn().catch((error: unknown) => `error: ${String(error)}`);

type EndpointStatus = { Status: { header: { member_id: number }; leader: number } };

test("etcd across three members loses the partitioned leader's replica, keeps quorum on the other two, and takes it back after heal", {
  skip: !haveEtcd && "etcd is not installed",
  timeout: 180_000,
}, async (t) => {
  for (const [i, member] of mesh.members.entries()) await createReplica(member, i);
  await until(
    "a put through every replica",
    async () => {
      for (const [i, member] of mesh.members.entries()) {
        if ((await attempt(() => etcdctl(member, i, "put", `from-${i}`, "hello"))) !== "OK") return false;
      }
      return true;
    },
    90_000,
  );
  assert.equal((await etcdctl(mesh.members[0], 0, "member", "list")).split("\n").length, 3);

  const statuses = await Promise.all(
    mesh.members.map(async (member, i) => {
      const [status] = JSON.parse(
        await etcdctl(member, i, "endpoint", "status", "-w", "json"),
      ) as EndpointStatus[];
      return status.Status;
    }),
  );
  const leaderIndex = statuses.findIndex((s) => s.header.member_id === s.leader);
  assert.ok(leaderIndex >= 0, "one replica leads");
  const cut = mesh.members[leaderIndex];
  const others = mesh.members.map((member, i) => ({ member, i })).filter(({ i }) => i !== leaderIndex);
  t.diagnostic(`leader: etcd-${leaderIndex} in ${cut.name}; partitioning ${cut.name}`);

  const start = Date.now();
  await cut.host.setPartitioned(true);
  const [first] = others;
  await until(
    "a write through the other two",
    async () => (await attempt(() => etcdctl(first.member, first.i, "put", "during", "partition"))) === "OK",
    DETECTION_MS + 30_000,
  );
  t.diagnostic(`first write acknowledged by the other two ${Date.now() - start} ms after the partition`);
  for (const { member, i } of others) {
    assert.equal(await etcdctl(member, i, "get", "during", "--print-value-only"), "partition");
  }
  const [again] = JSON.parse(
    await etcdctl(first.member, first.i, "endpoint", "status", "-w", "json"),
  ) as EndpointStatus[];
  assert.notEqual(again.Status.leader, statuses[leaderIndex].leader, "a new leader");
  const isolated = await attempt(() => etcdctl(cut, leaderIndex, "get", "during", "--print-value-only"));
  assert.match(isolated, /^error/, "the cut-off replica serves no linearizable read");

  const healed = Date.now();
  await cut.host.setPartitioned(false);
  await until(
    "the healed replica serves the write it missed",
    async () =>
      (await attempt(() => etcdctl(cut, leaderIndex, "get", "during", "--print-value-only"))) === "partition",
    30_000,
  );
  t.diagnostic(`healed replica caught up ${Date.now() - healed} ms after heal`);
  assert.equal(await etcdctl(cut, leaderIndex, "put", "after", "heal"), "OK");
});
