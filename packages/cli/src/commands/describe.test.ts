import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { KB_CLUSTERS } from "@atoll/api";
import { startEtcdFleet } from "@atoll/controllers/testing/etcd-instance.fixture";
import { type TestFleet, until } from "@atoll/controllers/testing/fleet.fixture";
import { isRecord } from "@atoll/kube";
import { runAtoll } from "../testing/run.ts";

const SEED = join(import.meta.dirname, "../../../../../shared/seed-manifests/etcd-self-hosted.yaml");
const haveEtcd = existsSync("/usr/bin/etcd") && existsSync("/usr/bin/etcdctl");
let fleet: TestFleet;
const atoll = (args: string[]) => runAtoll(args, { env: { KUBECONFIG: fleet.hubKubeconfig } });

before(async () => {
  if (!haveEtcd) return;
  // The hub installs the built-in etcd-0.9.0; the meshed sims run its replicas as real etcd processes.
  fleet = await startEtcdFleet([106, 107, 108]);
});

after(async () => {
  await fleet?.stop();
});

test("atoll describe instance shows the guide's etcd instance: every replica's member, role, phase and address", {
  skip: !haveEtcd && "etcd is not installed",
}, async () => {
  const created = await fleet.kubectl(["create", "-f", SEED, "-o", "name"]);
  assert.equal(created.code, 0, created.stderr);
  const name = created.stdout.trim().split("/").pop() ?? "";
  await until(
    "the instance Running",
    async () => {
      const cluster = await fleet.hub.get(KB_CLUSTERS, "default", name);
      return isRecord(cluster?.status) && cluster.status.phase === "Running";
    },
    30_000,
  );
  const run = await atoll(["describe", "instance", `default/${name}`]);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.split("\n");
  assert.ok(lines.includes(`Name:               ${name}`), run.stdout);
  assert.ok(lines.includes("Phase:              Running"), run.stdout);
  assert.ok(lines.includes("Termination policy: WipeOut"), run.stdout);
  assert.ok(lines.includes("Placement:          k8s-1,k8s-2,k8s-3"), run.stdout);
  assert.ok(lines.includes("Component etcd (etcd-0.9.0, 3 replicas): Running"), run.stdout);
  for (const [ordinal, member] of ["k8s-1", "k8s-2", "k8s-3"].entries()) {
    const row = lines.find((l) => l.trim().startsWith(`${name}-etcd-${ordinal} `)) ?? "";
    assert.match(
      row,
      new RegExp(
        `^\\s+${name}-etcd-${ordinal}\\s+${member}\\s+(leader|follower)\\s+Running\\s+true\\s+127\\.\\d+\\.\\d+\\.\\d+$`,
      ),
    );
  }
  const missing = await atoll(["describe", "instance", "default/nothing"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /instance default\/nothing not found/);
});
