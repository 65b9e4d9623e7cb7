/**
 * KubeBlocks OpsRequests on a real cross-member etcd: a hub running every
 * hub controller, three meshed sim members running etcd processes, and each
 * operation created with `kubectl create -f` at the hub — Restart,
 * VerticalScaling, HorizontalScaling out and in, Switchover to a named
 * replica and to any, and Stop with a Start queued behind it. Each must
 * reach Succeed with the instance really changed and its data kept.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Cluster, KB_CLUSTERS, OPS_REQUESTS, type ReplicaStatus } from "@atoll/api";
import { isRecord, R } from "@atoll/kube";
import type { Ops } from "../ops/ops-spec.ts";
import {
  etcdctl,
  haveEtcd,
  engineMembers as membersSeenBy,
  replicaEndpoint,
  startEtcdFleet,
} from "../testing/etcd-instance.fixture.ts";
import { conditionOf, type TestFleet, until } from "../testing/fleet.fixture.ts";

const WAIT = 120_000;
const NAME = "opsdb";
let fleet: TestFleet;

before(async () => {
  if (!haveEtcd) return;
  fleet = await startEtcdFleet([128, 129, 130]);
});
after(async () => {
  await fleet?.stop();
});

const CLUSTER = `apiVersion: apps.kubeblocks.io/v1alpha1
kind: Cluster
metadata:
  name: ${NAME}
  namespace: default
spec:
  terminationPolicy: WipeOut
  componentSpecs:
    - name: etcd
      componentDef: etcd-0.9.0
      replicas: 3
      resources:
        requests: { cpu: 100m, memory: 128Mi }
        limits: { cpu: 500m, memory: 512Mi }
      volumeClaimTemplates:
        - name: data
          spec:
            accessModes: [ReadWriteOnce]
            resources: { requests: { storage: 1Gi } }
      services:
        - name: peer
          serviceType: ClusterIP
          podService: true
          annotations: { service.cilium.io/global: "true" }
`;

let files = 0;
async function kubectlCreate(manifest: string): Promise<void> {
  const file = join(fleet.dir, `ops-e2e-${files++}.yaml`);
  await writeFile(file, manifest);
  const created = await fleet.kubectl(["create", "-f", file]);
  assert.equal(created.code, 0, created.stderr);
}

const opsManifest = (name: string, body: string) => `apiVersion: apps.kubeblocks.io/v1alpha1
kind: OpsRequest
metadata:
  name: ${name}
  namespace: default
spec:
  clusterName: ${NAME}
${body}`;

async function cluster(): Promise<Cluster> {
  const found = await fleet.hub.get(KB_CLUSTERS, "default", NAME);
  assert.ok(found, "the Cluster exists");
  return found as Cluster;
}

const replicasOf = async () => (await cluster()).status?.components?.etcd?.replicas ?? [];

/** Waits for the operation to finish; fails with its conditions when it does not succeed. */
async function succeeds(name: string, timeoutMs = WAIT): Promise<Ops> {
  const startedAt = Date.now();
  const op = await until(
    `OpsRequest ${name} finished`,
    async () => {
      const found = (await fleet.hub.get(OPS_REQUESTS, "default", name)) as Ops | undefined;
      const phase = found?.status?.phase;
      return phase === "Succeed" || phase === "Failed" || phase === "Aborted" ? found : undefined;
    },
    timeoutMs,
  );
  assert.equal(op.status?.phase, "Succeed", JSON.stringify(op.status?.conditions, null, 1));
  console.log(`# ${op.spec.type} ${name}: ${Date.now() - startedAt} ms, progress ${op.status?.progress}`);
  return op;
}

const endpointOf = (replica: ReplicaStatus) =>
  replicaEndpoint(fleet.member(replica.member ?? "").client, replica);

async function valueThrough(replica: ReplicaStatus): Promise<string> {
  return (await etcdctl(await endpointOf(replica), "get", "k", "--print-value-only")).stdout.trim();
}

async function engineMembers(replica: ReplicaStatus): Promise<number> {
  return (await membersSeenBy(await endpointOf(replica))).length;
}

const podOf = (replica: ReplicaStatus) =>
  fleet.member(replica.member ?? "").client.get(R.pods, "default", replica.podName);

const leaderOf = (list: ReplicaStatus[]) => list.find((r) => r.role === "leader")?.podName;

describe("OpsRequests on a real etcd across three members", {
  skip: !haveEtcd && "etcd is not installed",
}, () => {
  it("the instance starts with three replicas and one leader", async () => {
    await kubectlCreate(CLUSTER);
    const list = await until(
      "Running with one leader",
      async () => {
        const c = await cluster();
        const replicas = c.status?.components?.etcd?.replicas ?? [];
        return c.status?.phase === "Running" && replicas.filter((r) => r.role === "leader").length === 1
          ? replicas
          : undefined;
      },
      WAIT,
    );
    assert.match((await etcdctl(await endpointOf(list[0]), "put", "k", "v")).stdout, /OK/);
  });

  it("Restart re-creates every replica and keeps the data", async () => {
    const before = await replicasOf();
    const uids = await Promise.all(before.map(async (r) => (await podOf(r))?.metadata.uid));
    await kubectlCreate(opsManifest("restart", "  type: Restart\n  restart:\n    - componentName: etcd\n"));
    const op = await succeeds("restart");
    assert.equal(op.status?.progress, "3/3");
    assert.deepEqual(
      op.status?.components?.etcd?.progressDetails?.map((d) => d.status),
      ["Succeed", "Succeed", "Succeed"],
    );
    const after = await replicasOf();
    const now = await Promise.all(after.map(async (r) => (await podOf(r))?.metadata.uid));
    for (const [i, uid] of now.entries()) assert.notEqual(uid, uids[i], `${after[i].podName} was re-created`);
    assert.equal(await valueThrough(after[2]), "v");
  });

  it("VerticalScaling rolls the replicas onto the new resources", async () => {
    await kubectlCreate(
      opsManifest(
        "resize",
        "  type: VerticalScaling\n  verticalScaling:\n    - componentName: etcd\n      requests: { cpu: 200m, memory: 256Mi }\n      limits: { cpu: '1', memory: 1Gi }\n",
      ),
    );
    const op = await succeeds("resize");
    assert.deepEqual(op.status?.lastConfiguration?.components.etcd?.resources, {
      requests: { cpu: "100m", memory: "128Mi" },
      limits: { cpu: "500m", memory: "512Mi" },
    });
    for (const replica of await replicasOf()) {
      const pod = await podOf(replica);
      const containers = isRecord(pod?.spec) && Array.isArray(pod.spec.containers) ? pod.spec.containers : [];
      const resources = containers.filter(isRecord).map((c) => c.resources);
      assert.ok(
        resources.some((r) => isRecord(r) && isRecord(r.requests) && r.requests.cpu === "200m"),
        `${replica.podName} has the new requests`,
      );
    }
    assert.equal(await valueThrough((await replicasOf())[0]), "v");
  });

  it("HorizontalScaling out to five and back in to three, the engine's membership following", async () => {
    await kubectlCreate(
      opsManifest(
        "scale-out",
        "  type: HorizontalScaling\n  horizontalScaling:\n    - componentName: etcd\n      replicas: 5\n",
      ),
    );
    await succeeds("scale-out");
    const five = await replicasOf();
    assert.equal(five.length, 5);
    assert.equal(await engineMembers(five[0]), 5);
    await kubectlCreate(
      opsManifest(
        "scale-in",
        "  type: HorizontalScaling\n  horizontalScaling:\n    - componentName: etcd\n      replicas: 3\n",
      ),
    );
    await succeeds("scale-in");
    const three = await replicasOf();
    assert.equal(three.length, 3);
    await until("the engine has three members", async () => (await engineMembers(three[0])) === 3, 30_000);
    assert.equal(await valueThrough(three[1]), "v");
  });

  it("Switchover to a named follower, then to any other replica", async () => {
    const list = await replicasOf();
    const candidate = list.find((r) => r.role !== "leader")?.podName;
    assert.ok(candidate);
    await kubectlCreate(
      opsManifest(
        "switch-named",
        `  type: Switchover\n  switchover:\n    - componentName: etcd\n      instanceName: ${candidate}\n`,
      ),
    );
    await succeeds("switch-named");
    assert.equal(leaderOf(await replicasOf()), candidate);
    await kubectlCreate(
      opsManifest(
        "switch-any",
        "  type: Switchover\n  switchover:\n    - componentName: etcd\n      instanceName: '*'\n",
      ),
    );
    const op = await succeeds("switch-any");
    assert.equal(op.status?.components?.etcd?.leaderBefore, candidate);
    const leader = leaderOf(await replicasOf());
    assert.ok(leader && leader !== candidate, `leadership moved away from ${candidate} (now ${leader})`);
  });

  it("Stop with a Start queued behind it: pods gone and data kept, then back", async () => {
    const podCount = async () => {
      const lists = await Promise.all(
        fleet.members.map((m) =>
          m.client.list(R.pods, {
            namespace: "default",
            labelSelector: `app.kubernetes.io/instance=${NAME}`,
          }),
        ),
      );
      return lists.flatMap((l) => l.items).filter((p) => !p.metadata.deletionTimestamp).length;
    };
    const before = await replicasOf();
    const uids = await Promise.all(before.map(async (r) => (await podOf(r))?.metadata.uid));
    // The Start runs the moment the Stop succeeds (the last pod is re-created within milliseconds of
    // going), so the pods not being deleted are counted while the Stop runs.
    let fewest = Number.POSITIVE_INFINITY;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        fewest = Math.min(fewest, await podCount());
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    let stop: Ops;
    try {
      await kubectlCreate(
        `${opsManifest("stop", "  type: Stop\n")}---\n${opsManifest("start", "  type: Start\n")}`,
      );
      const queued = await until("the Start waits for the Stop", async () => {
        const start = (await fleet.hub.get(OPS_REQUESTS, "default", "start")) as Ops | undefined;
        return conditionOf(start, "WaitForProgressing") ? start : undefined;
      });
      assert.equal(queued.status?.phase, "Pending");
      stop = await succeeds("stop");
    } finally {
      watching = false;
      await watcher;
    }
    assert.equal(fewest, 0, "every pod was deleted while stopped");
    const start = (await fleet.hub.get(OPS_REQUESTS, "default", "start")) as Ops | undefined;
    assert.ok(
      Date.parse(start?.status?.startTimestamp ?? "") >= Date.parse(stop.status?.completionTimestamp ?? ""),
      "the Start began once the Stop had finished",
    );
    const claims = await Promise.all(
      fleet.members.map((m) =>
        m.client.list(R.persistentvolumeclaims, {
          namespace: "default",
          labelSelector: `app.kubernetes.io/instance=${NAME}`,
        }),
      ),
    );
    assert.equal(claims.flatMap((c) => c.items).length, 3, "the data volumes stay");
    await succeeds("start");
    const back = await replicasOf();
    assert.equal(back.length, 3);
    const now = await Promise.all(back.map(async (r) => (await podOf(r))?.metadata.uid));
    for (const [i, uid] of now.entries()) assert.notEqual(uid, uids[i], `${back[i].podName} is a new pod`);
    assert.equal(await valueThrough(back[0]), "v");
    const table = await fleet.kubectl(["get", "ops", "-l", `app.kubernetes.io/instance=${NAME}`]);
    assert.equal(table.code, 0, table.stderr);
    console.log(table.stdout.replace(/^/gm, "# "));
    assert.equal(
      table.stdout.trim().split("\n").length,
      9,
      "eight operations, all labelled with the instance",
    );
    assert.ok(!/Running|Pending|Failed/.test(table.stdout), table.stdout);
  });
});
