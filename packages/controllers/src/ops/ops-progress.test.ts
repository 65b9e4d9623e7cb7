import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Cluster, InstanceOperationAnnotations, type SwitchoverResult } from "@atoll/api";
import { clusterOf, opsOf, replicasOf } from "./ops.fixture.ts";
import { evaluate, statusDigest } from "./ops-progress.ts";
import type { OpsStatus } from "./ops-spec.ts";

const NOW = new Date("2026-03-01T10:00:00Z");
const judge = (op: ReturnType<typeof opsOf>, cluster: Cluster, cancelling = false) =>
  evaluate(op, cluster, { now: NOW, leaderWaitMs: 30_000, cancelling });
const started = (fields: OpsStatus = {}): OpsStatus => ({
  phase: "Running",
  clusterGeneration: 2,
  ...fields,
});

describe("progress of Stop, Start and HorizontalScaling, per component", () => {
  it("a status written before the instance controller saw the change counts for nothing", () => {
    const stop = opsOf({ type: "Stop" }, started());
    const stale = clusterOf({ generation: 2, phase: "Stopped", components: { etcd: { phase: "Stopped" } } });
    stale.status = { ...stale.status, observedGeneration: 1 };
    assert.deepEqual(judge(stop, stale), {
      outcome: "Running",
      progress: "0/1",
      components: { etcd: { phase: "Stopped" } },
      caughtUp: false,
    });
    const seen = clusterOf({ generation: 2, phase: "Stopped", components: { etcd: { phase: "Stopped" } } });
    assert.equal(judge(stop, seen).outcome, "Succeed");
    assert.equal(judge(stop, seen).caughtUp, true);
    assert.equal(judge(stop, seen).progress, "1/1");
  });

  it("Start is done when the component is Running again", () => {
    const start = opsOf({ type: "Start" }, started());
    const back = clusterOf({
      generation: 2,
      components: { etcd: { phase: "Updating", replicas: replicasOf(3) } },
    });
    assert.equal(judge(start, back).outcome, "Running");
    back.status = { ...back.status, components: { etcd: { phase: "Running", replicas: replicasOf(3) } } };
    assert.equal(judge(start, back).outcome, "Succeed");
  });

  it("HorizontalScaling is done when that many replicas serve, each with a role when the others have one", () => {
    const op = opsOf(
      { type: "HorizontalScaling", horizontalScaling: [{ componentName: "etcd", replicas: 5 }] },
      started(),
    );
    const joining = clusterOf({
      generation: 2,
      replicas: 5,
      components: {
        etcd: {
          phase: "Running",
          replicas: replicasOf(5, (r, i) => (i === 4 ? { ...r, role: undefined } : r)),
        },
      },
    });
    const waiting = judge(op, joining);
    assert.equal(waiting.outcome, "Running");
    assert.deepEqual(waiting.components.etcd, { phase: "Running", message: "5/5 replicas ready" });
    const grown = clusterOf({
      generation: 2,
      replicas: 5,
      components: { etcd: { phase: "Running", replicas: replicasOf(5) } },
    });
    assert.equal(judge(op, grown).outcome, "Succeed");
    const short = clusterOf({
      generation: 2,
      replicas: 5,
      components: { etcd: { phase: "Updating", replicas: replicasOf(4) } },
    });
    assert.equal(judge(op, short).outcome, "Running");
  });

  it("a cancelled HorizontalScaling is done back at the replicas it started from", () => {
    const op = opsOf(
      { type: "HorizontalScaling", horizontalScaling: [{ componentName: "etcd", replicas: 5 }] },
      started({ phase: "Cancelling", lastConfiguration: { components: { etcd: { replicas: 3 } } } }),
    );
    const back = clusterOf({ generation: 2 });
    assert.equal(judge(op, back, true).outcome, "Succeed");
    assert.equal(judge(op, back, false).outcome, "Running");
  });
});

describe("progress of Restart and VerticalScaling, per replica", () => {
  const vs = opsOf(
    { type: "VerticalScaling", verticalScaling: [{ componentName: "etcd", requests: { cpu: "1" } }] },
    started(),
  );

  it("counts replicas re-created and serving; one out of date but serving waits its turn", () => {
    const rolling = clusterOf({
      generation: 2,
      components: {
        etcd: {
          phase: "Updating",
          replicas: replicasOf(3, (r, i) =>
            i === 0 ? { ...r, upToDate: false } : i === 1 ? { ...r, ready: false, phase: "Pending" } : r,
          ),
        },
      },
    });
    const evaluation = judge(vs, rolling);
    assert.equal(evaluation.outcome, "Running");
    assert.equal(evaluation.progress, "1/3");
    assert.deepEqual(
      evaluation.components.etcd.progressDetails?.map((d) => [d.objectKey, d.status]),
      [
        ["Pod/db-etcd-0", "Pending"],
        ["Pod/db-etcd-1", "Processing"],
        ["Pod/db-etcd-2", "Succeed"],
      ],
    );
    const done = clusterOf({ generation: 2 });
    assert.deepEqual([judge(vs, done).outcome, judge(vs, done).progress], ["Succeed", "3/3"]);
  });

  it("a replica that reports no upToDate (an instance controller without rolls) is never done", () => {
    const silent = clusterOf({
      generation: 2,
      components: { etcd: { phase: "Running", replicas: replicasOf(3, ({ upToDate: _, ...r }) => r) } },
    });
    assert.equal(judge(vs, silent).outcome, "Running");
  });

  it("a Restart judges nothing until the Cluster's status was written again after its request", () => {
    const cluster = clusterOf({ generation: 2 });
    const op = opsOf(
      { type: "Restart", restart: [{ componentName: "etcd" }] },
      started({ clusterStatusDigest: statusDigest(cluster) }),
    );
    const before = judge(op, cluster);
    assert.deepEqual([before.outcome, before.progress], ["Running", "0/3"]);
    const marked = clusterOf({
      generation: 2,
      components: {
        etcd: { phase: "Updating", replicas: replicasOf(3, (r) => ({ ...r, upToDate: false })) },
      },
    });
    assert.deepEqual([judge(op, marked).outcome, judge(op, marked).progress], ["Running", "0/3"]);
    const rolled = clusterOf({ generation: 2 });
    rolled.status = { ...rolled.status, conditions: [] };
    assert.equal(judge(op, rolled).outcome, "Succeed");
  });

  it("the status digest ignores key order", () => {
    const a = clusterOf();
    const b = clusterOf();
    b.status = Object.fromEntries(Object.entries(b.status ?? {}).reverse());
    assert.equal(statusDigest(a), statusDigest(b));
  });
});

describe("progress of a Switchover", () => {
  const result = (fields: Partial<SwitchoverResult>) =>
    JSON.stringify({ id: "uid-1", succeeded: true, message: "", finishedAt: NOW.toISOString(), ...fields });
  const leaderAt = (ordinal: number, annotations: Record<string, string>) =>
    clusterOf({
      annotations,
      components: {
        etcd: {
          phase: "Running",
          replicas: replicasOf(3, (r, i) => ({ ...r, role: i === ordinal ? "leader" : "follower" })),
        },
      },
    });
  const named = opsOf(
    { type: "Switchover", switchover: [{ componentName: "etcd", instanceName: "db-etcd-2" }] },
    started({ clusterGeneration: 1, components: { etcd: { leaderBefore: "db-etcd-0" } } }),
  );
  const request = { [InstanceOperationAnnotations.switchover]: '{"id":"uid-1","component":"etcd"}' };

  it("asks again when the Cluster's request is not its own", () => {
    const evaluation = judge(named, leaderAt(0, {}));
    assert.equal(evaluation.outcome, "Running");
    assert.ok(evaluation.change?.annotations?.[InstanceOperationAnnotations.switchover]);
    assert.equal(judge(named, leaderAt(0, request)).change, undefined);
  });

  it("is done when the result succeeded and the candidate is reported leader", () => {
    const ran = { ...request, [InstanceOperationAnnotations.switchoverResult]: result({}) };
    assert.equal(judge(named, leaderAt(0, ran)).outcome, "Running");
    const moved = judge(named, leaderAt(2, ran));
    assert.equal(moved.outcome, "Succeed");
    assert.deepEqual(moved.components.etcd, {
      phase: "Running",
      leaderBefore: "db-etcd-0",
      message: "db-etcd-2 is the leader",
    });
  });

  it("to *, is done when another pod than the leader at the start leads", () => {
    const any = opsOf(
      { type: "Switchover", switchover: [{ componentName: "etcd", instanceName: "*" }] },
      started({ clusterGeneration: 1, components: { etcd: { leaderBefore: "db-etcd-0" } } }),
    );
    const ran = { ...request, [InstanceOperationAnnotations.switchoverResult]: result({}) };
    assert.equal(judge(any, leaderAt(0, ran)).outcome, "Running");
    assert.equal(judge(any, leaderAt(1, ran)).outcome, "Succeed");
  });

  it("fails when the action failed, or when leadership does not show within the wait", () => {
    const failed = {
      ...request,
      [InstanceOperationAnnotations.switchoverResult]: result({
        succeeded: false,
        ranOn: "db-etcd-0",
        message: "exit 1",
      }),
    };
    const evaluation = judge(named, leaderAt(0, failed));
    assert.equal(evaluation.outcome, "Failed");
    assert.equal(evaluation.message, "switchover of etcd failed on db-etcd-0: exit 1");
    const late = {
      ...request,
      [InstanceOperationAnnotations.switchoverResult]: result({ finishedAt: "2026-03-01T09:59:00Z" }),
    };
    assert.match(
      judge(named, leaderAt(0, late)).message ?? "",
      /db-etcd-2 was not reported leader within 30 s/,
    );
  });

  it("an old result with another id is not this operation's", () => {
    const old = {
      [InstanceOperationAnnotations.switchoverResult]: result({ id: "someone-else", succeeded: false }),
    };
    const evaluation = judge(named, leaderAt(0, old));
    assert.equal(evaluation.outcome, "Running");
    assert.ok(evaluation.change);
  });
});
