/**
 * The OpsRequest controller on a real hub API server. No instance controller
 * runs: the test writes each Cluster's status the way the instance
 * controller does (the contract in @atoll/api's instance-operations.ts), so
 * queueing, validation, completion, cancel, timeouts and TTLs are checked
 * exactly. The e2e test drives the same operations against real etcd.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  type Cluster,
  type ClusterComponentStatus,
  type ClusterPhase,
  InstanceOperationAnnotations,
  KB_CLUSTERS,
  OPS_REQUESTS,
  type OpsRequestSpec,
} from "@atoll/api";
import { StatusError } from "@atoll/kube";
import { conditionOf, startFleet, type TestFleet, until } from "../testing/fleet.fixture.ts";
import { replicasOf } from "./ops.fixture.ts";
import { OpsController } from "./ops-controller.ts";
import { OPS_QUEUE_ANNOTATION } from "./ops-names.ts";
import { parseQueue } from "./ops-queue.ts";
import type { Ops } from "./ops-spec.ts";

let fleet: TestFleet;
let controller: OpsController;

before(async () => {
  fleet = await startFleet({ ids: [] });
  controller = new OpsController(fleet.context, { resyncMs: 200, leaderWaitMs: 3000 });
  controller.start();
});
after(async () => {
  controller?.stop();
  await fleet?.stop();
});

async function createCluster(name: string, replicas = 3): Promise<void> {
  await fleet.hub.create(KB_CLUSTERS, "default", {
    apiVersion: "apps.kubeblocks.io/v1alpha1",
    kind: "Cluster",
    metadata: { name },
    spec: {
      terminationPolicy: "Delete",
      componentSpecs: [{ name: "etcd", componentDef: "etcd-0.9.0", replicas }],
    },
  });
}

async function cluster(name: string): Promise<Cluster> {
  const found = (await fleet.hub.get(KB_CLUSTERS, "default", name)) as Cluster | undefined;
  assert.ok(found, `Cluster ${name} exists`);
  return found;
}

/** What the instance controller does: writes the status it computed from the Cluster as it is now. */
async function report(name: string, phase: ClusterPhase, etcd: ClusterComponentStatus): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const current = await cluster(name);
    const status = { observedGeneration: current.metadata.generation, phase, components: { etcd } };
    try {
      await fleet.hub.update(KB_CLUSTERS, "default", { ...current, status }, { subresource: "status" });
      return;
    } catch (error) {
      if (!(error instanceof StatusError && error.reason === "Conflict") || attempt > 10) throw error;
    }
  }
}

const running = (name: string, replicas = 3) =>
  report(name, "Running", {
    phase: "Running",
    replicas: replicasOf(replicas, (r) => ({ ...r, podName: r.podName.replace("db", name) })),
  });

let files = 0;
/** Creates an OpsRequest with kubectl, as a user would. */
async function createOps(name: string, spec: OpsRequestSpec): Promise<void> {
  const file = join(fleet.dir, `ops-${files++}.json`);
  await writeFile(
    file,
    JSON.stringify({
      apiVersion: "apps.kubeblocks.io/v1alpha1",
      kind: "OpsRequest",
      metadata: { name },
      spec,
    }),
  );
  const created = await fleet.kubectl(["create", "-f", file]);
  assert.equal(created.code, 0, created.stderr);
}

const ops = async (name: string) => (await fleet.hub.get(OPS_REQUESTS, "default", name)) as Ops | undefined;

async function phaseOf(name: string, phase: string, timeoutMs = 10_000): Promise<Ops> {
  return until(
    `OpsRequest ${name} ${phase}`,
    async () => {
      const op = await ops(name);
      return op?.status?.phase === phase ? op : undefined;
    },
    timeoutMs,
  );
}

const queueOf = async (name: string) => parseQueue(await cluster(name));

describe("the OpsRequest controller", () => {
  it("fails an operation on a Cluster that does not exist, saying so, and labels it as KubeBlocks does", async () => {
    await createOps("on-nothing", { clusterName: "nothing", type: "Stop" });
    const op = await phaseOf("on-nothing", "Failed");
    const validated = conditionOf(op, "Validated");
    assert.equal(validated?.status, "False");
    assert.equal(validated?.reason, "ClusterNotFound");
    assert.equal(validated?.message, "Cluster nothing not found in namespace default");
    assert.equal(conditionOf(op, "Failed")?.status, "True");
    assert.ok(op.status?.completionTimestamp);
    assert.equal(op.metadata.labels?.["app.kubernetes.io/instance"], "nothing");
    assert.equal(op.metadata.labels?.["ops.kubeblocks.io/ops-type"], "Stop");
  });

  it("fails an operation naming a component the Cluster lacks, without touching the Cluster", async () => {
    await createCluster("lacks");
    await running("lacks");
    await createOps("lacks-restart", {
      clusterName: "lacks",
      type: "Restart",
      restart: [{ componentName: "mysql" }],
    });
    const op = await phaseOf("lacks-restart", "Failed");
    assert.match(String(conditionOf(op, "Validated")?.message), /component mysql not found in Cluster lacks/);
    assert.equal((await cluster("lacks")).metadata.annotations?.[OPS_QUEUE_ANNOTATION], undefined);
  });

  it("refuses Start on a Running Cluster (ClusterPhaseMismatch) and leaves its queue empty", async () => {
    await createCluster("up");
    await running("up");
    await createOps("up-start", { clusterName: "up", type: "Start" });
    const op = await phaseOf("up-start", "Failed");
    assert.equal(conditionOf(op, "Validated")?.reason, "ClusterPhaseMismatch");
    await until("the queue emptied", async () => (await queueOf("up")).length === 0);
  });

  it("Stop: sets stop, runs until the instance reports Stopped, then succeeds and leaves the queue", async () => {
    await createCluster("stopme");
    await running("stopme");
    await createOps("stopme-stop", { clusterName: "stopme", type: "Stop" });
    const op = await phaseOf("stopme-stop", "Running");
    const changed = await cluster("stopme");
    assert.equal(changed.spec.componentSpecs?.[0].stop, true);
    assert.deepEqual(parseQueue(changed), [{ name: "stopme-stop", type: "Stop" }]);
    assert.equal(op.status?.clusterGeneration, changed.metadata.generation);
    assert.equal(op.status?.progress, "0/1");
    assert.ok(op.status?.startTimestamp);
    assert.equal(conditionOf(op, "Stopping")?.reason, "StopStarted");
    assert.equal(conditionOf(op, "Progressing")?.status, "True");
    await report("stopme", "Stopping", { phase: "Stopping", replicas: [] });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await ops("stopme-stop"))?.status?.phase, "Running");
    await report("stopme", "Stopped", { phase: "Stopped", replicas: [] });
    const done = await phaseOf("stopme-stop", "Succeed");
    assert.equal(done.status?.progress, "1/1");
    assert.equal(conditionOf(done, "Succeed")?.reason, "OpsRequestProcessedSuccessfully");
    assert.equal(conditionOf(done, "Progressing")?.status, "False");
    assert.ok(done.status?.completionTimestamp);
    await until("the queue emptied", async () => (await queueOf("stopme")).length === 0);
  });

  it("queues a second operation in Pending until the first finishes; a Restart waits for a status written after its request", async () => {
    await createCluster("queue");
    await running("queue");
    await createOps("queue-scale", {
      clusterName: "queue",
      type: "HorizontalScaling",
      horizontalScaling: [{ componentName: "etcd", replicas: 5 }],
    });
    await phaseOf("queue-scale", "Running");
    await createOps("queue-restart", {
      clusterName: "queue",
      type: "Restart",
      restart: [{ componentName: "etcd" }],
    });
    const waiting = await until("the Restart queued", async () => {
      const op = await ops("queue-restart");
      return conditionOf(op, "WaitForProgressing") ? op : undefined;
    });
    assert.equal(waiting.status?.phase, "Pending");
    assert.equal(waiting.status?.progress, "-/-");
    assert.match(
      String(conditionOf(waiting, "WaitForProgressing")?.message),
      /waiting for OpsRequest queue-scale/,
    );
    assert.deepEqual(await queueOf("queue"), [
      { name: "queue-scale", type: "HorizontalScaling" },
      { name: "queue-restart", type: "Restart", inQueue: true },
    ]);
    assert.equal((await cluster("queue")).spec.componentSpecs?.[0].replicas, 5);
    await running("queue", 5);
    await phaseOf("queue-scale", "Succeed");
    const restarting = await phaseOf("queue-restart", "Running");
    const restart = JSON.parse(
      (await cluster("queue")).metadata.annotations?.[InstanceOperationAnnotations.restart] ?? "{}",
    );
    assert.ok(restart.etcd, "the restart request is on the Cluster");
    assert.equal(restarting.status?.progress, "0/5");
    // The status still says every replica is up to date, but it was written before the request.
    await new Promise((r) => setTimeout(r, 800));
    assert.equal((await ops("queue-restart"))?.status?.phase, "Running");
    const rolling = replicasOf(5, (r, i) => ({ ...r, podName: `queue-etcd-${i}`, upToDate: i === 0 }));
    await report("queue", "Updating", { phase: "Updating", replicas: rolling });
    const partway = await until("progress 1/5", async () => {
      const op = await ops("queue-restart");
      return op?.status?.progress === "1/5" ? op : undefined;
    });
    assert.deepEqual(
      partway.status?.components?.etcd?.progressDetails?.map((d) => d.status),
      ["Succeed", "Pending", "Pending", "Pending", "Pending"],
    );
    await running("queue", 5);
    const done = await phaseOf("queue-restart", "Succeed");
    assert.equal(done.status?.progress, "5/5");
    await until("the queue emptied", async () => (await queueOf("queue")).length === 0);
  });

  it("waits preConditionDeadlineSeconds for the Cluster to reach a phase it may start from", async () => {
    await createCluster("early");
    await report("early", "Creating", { phase: "Creating", replicas: [] });
    await createOps("early-restart", {
      clusterName: "early",
      type: "Restart",
      restart: [{ componentName: "etcd" }],
      preConditionDeadlineSeconds: 60,
    });
    const waiting = await until("waiting for the phase", async () => {
      const op = await ops("early-restart");
      return /forbidden when Cluster.status.phase=Creating/.test(
        String(conditionOf(op, "WaitForProgressing")?.message),
      )
        ? op
        : undefined;
    });
    assert.equal(waiting.status?.phase, "Pending");
    await running("early");
    await phaseOf("early-restart", "Running");
  });

  it("deletes a succeeded operation after ttlSecondsAfterSucceed", async () => {
    await createCluster("ttl");
    await running("ttl");
    await createOps("ttl-stop", { clusterName: "ttl", type: "Stop", ttlSecondsAfterSucceed: 1 });
    await phaseOf("ttl-stop", "Running");
    await report("ttl", "Stopped", { phase: "Stopped", replicas: [] });
    await phaseOf("ttl-stop", "Succeed");
    await until("the OpsRequest deleted", async () => (await ops("ttl-stop")) === undefined, 10_000);
  });

  it("Switchover: asks with the operation's uid; fails with the action's message when it fails", async () => {
    await createCluster("sw");
    await running("sw");
    await createOps("sw-bad", {
      clusterName: "sw",
      type: "Switchover",
      switchover: [{ componentName: "etcd", instanceName: "sw-etcd-2" }],
    });
    const op = await phaseOf("sw-bad", "Running");
    const request = JSON.parse(
      (await cluster("sw")).metadata.annotations?.[InstanceOperationAnnotations.switchover] ?? "{}",
    );
    assert.deepEqual(request, { id: op.metadata.uid, component: "etcd", candidate: "sw-etcd-2" });
    await fleet.hub.patch(KB_CLUSTERS, "default", "sw", "merge", {
      metadata: {
        annotations: {
          [InstanceOperationAnnotations.switchoverResult]: JSON.stringify({
            id: op.metadata.uid,
            succeeded: false,
            ranOn: "sw-etcd-0",
            message: "etcdctl: context deadline exceeded",
            finishedAt: new Date().toISOString(),
          }),
        },
      },
    });
    const failed = await phaseOf("sw-bad", "Failed");
    assert.equal(
      conditionOf(failed, "Failed")?.message,
      "switchover of etcd failed on sw-etcd-0: etcdctl: context deadline exceeded",
    );
  });

  it("Switchover to *: succeeds once another replica than the leader at the start is reported leader", async () => {
    await createCluster("any");
    await running("any");
    await createOps("any-sw", {
      clusterName: "any",
      type: "Switchover",
      switchover: [{ componentName: "etcd", instanceName: "*" }],
    });
    const op = await phaseOf("any-sw", "Running");
    assert.equal(op.status?.components?.etcd?.leaderBefore, "any-etcd-0");
    await fleet.hub.patch(KB_CLUSTERS, "default", "any", "merge", {
      metadata: {
        annotations: {
          [InstanceOperationAnnotations.switchoverResult]: JSON.stringify({
            id: op.metadata.uid,
            succeeded: true,
            ranOn: "any-etcd-0",
            message: "",
            finishedAt: new Date().toISOString(),
          }),
        },
      },
    });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await ops("any-sw"))?.status?.phase, "Running", "the old leader still leads");
    const moved = replicasOf(3, (r, i) => ({
      ...r,
      podName: `any-etcd-${i}`,
      role: i === 1 ? "leader" : "follower",
    }));
    await report("any", "Running", { phase: "Running", replicas: moved });
    const done = await phaseOf("any-sw", "Succeed");
    assert.equal(done.status?.components?.etcd?.message, "any-etcd-1 is the leader");
  });

  it("a deleted operation leaves the queue, so the next one starts", async () => {
    await createCluster("gone");
    await running("gone");
    await createOps("gone-first", {
      clusterName: "gone",
      type: "Restart",
      restart: [{ componentName: "etcd" }],
    });
    await phaseOf("gone-first", "Running");
    await createOps("gone-second", { clusterName: "gone", type: "Stop" });
    await until("the Stop queued", async () => (await queueOf("gone")).length === 2);
    await fleet.hub.delete(OPS_REQUESTS, "default", "gone-first");
    await phaseOf("gone-second", "Running");
    assert.deepEqual(await queueOf("gone"), [{ name: "gone-second", type: "Stop" }]);
  });

  it("cancels a HorizontalScaling: the replicas are put back, Cancelled once the instance is back", async () => {
    await createCluster("cancel");
    await running("cancel");
    await createOps("cancel-scale", {
      clusterName: "cancel",
      type: "HorizontalScaling",
      horizontalScaling: [{ componentName: "etcd", replicas: 5 }],
    });
    const op = await phaseOf("cancel-scale", "Running");
    assert.deepEqual(op.status?.lastConfiguration, { components: { etcd: { replicas: 3 } } });
    await fleet.hub.patch(OPS_REQUESTS, "default", "cancel-scale", "merge", { spec: { cancel: true } });
    const cancelling = await phaseOf("cancel-scale", "Cancelling");
    assert.equal(conditionOf(cancelling, "Cancelled")?.reason, "Canceling");
    assert.ok(cancelling.status?.cancelTimestamp);
    assert.equal((await cluster("cancel")).spec.componentSpecs?.[0].replicas, 3);
    await running("cancel");
    const cancelled = await phaseOf("cancel-scale", "Cancelled");
    assert.equal(conditionOf(cancelled, "Cancelled")?.reason, "CancelSucceed");
    await until("the queue emptied", async () => (await queueOf("cancel")).length === 0);
  });

  it("a queued operation cancelled never runs; a running Restart cannot be cancelled and carries on", async () => {
    await createCluster("nocancel");
    await running("nocancel");
    await createOps("nocancel-restart", {
      clusterName: "nocancel",
      type: "Restart",
      restart: [{ componentName: "etcd" }],
    });
    await phaseOf("nocancel-restart", "Running");
    await createOps("nocancel-stop", { clusterName: "nocancel", type: "Stop" });
    await until("the Stop queued", async () => (await queueOf("nocancel")).length === 2);
    await fleet.hub.patch(OPS_REQUESTS, "default", "nocancel-stop", "merge", { spec: { cancel: true } });
    await phaseOf("nocancel-stop", "Cancelled");
    await until("the Stop left the queue", async () => (await queueOf("nocancel")).length === 1);
    assert.equal((await cluster("nocancel")).spec.componentSpecs?.[0].stop, undefined);
    await fleet.hub.patch(OPS_REQUESTS, "default", "nocancel-restart", "merge", { spec: { cancel: true } });
    const refused = await until("the cancel refused", async () => {
      const op = await ops("nocancel-restart");
      return conditionOf(op, "Cancelled")?.reason === "CancelFailed" ? op : undefined;
    });
    assert.equal(refused.status?.phase, "Running");
    assert.equal(conditionOf(refused, "Cancelled")?.message, "a Restart OpsRequest cannot be cancelled");
    await report("nocancel", "Running", {
      phase: "Running",
      replicas: replicasOf(3, (r, i) => ({ ...r, podName: `nocancel-etcd-${i}`, address: `10.0.0.${i}` })),
    });
    await phaseOf("nocancel-restart", "Succeed");
  });

  it("aborts an operation running longer than its timeoutSeconds", async () => {
    await createCluster("slow");
    await running("slow");
    await createOps("slow-restart", {
      clusterName: "slow",
      type: "Restart",
      restart: [{ componentName: "etcd" }],
      timeoutSeconds: 1,
    });
    const aborted = await phaseOf("slow-restart", "Aborted", 15_000);
    assert.equal(conditionOf(aborted, "Aborted")?.reason, "Timeout");
  });

  it("a hand-mangled queue annotation does not wedge the Cluster's operations", async () => {
    await createCluster("mangled");
    await running("mangled");
    await fleet.hub.patch(KB_CLUSTERS, "default", "mangled", "merge", {
      metadata: { annotations: { [OPS_QUEUE_ANNOTATION]: "{not json" } },
    });
    await createOps("mangled-stop", { clusterName: "mangled", type: "Stop" });
    await phaseOf("mangled-stop", "Running");
  });
});
