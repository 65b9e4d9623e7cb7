import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clusterOf, opsOf, replicasOf } from "./ops.fixture.ts";
import { checkAtStart, checkClusterPhase, validate } from "./ops-validation.ts";

describe("validating an OpsRequest against its Cluster", () => {
  it("accepts each type on a matching Cluster", () => {
    const cluster = clusterOf();
    for (const op of [
      opsOf({ type: "Restart", restart: [{ componentName: "etcd" }] }),
      opsOf({ type: "HorizontalScaling", horizontalScaling: [{ componentName: "etcd", replicas: 0 }] }),
      opsOf({
        type: "VerticalScaling",
        verticalScaling: [{ componentName: "etcd", requests: { cpu: "1" } }],
      }),
      opsOf({ type: "Switchover", switchover: [{ componentName: "etcd", instanceName: "db-etcd-1" }] }),
      opsOf({ type: "Switchover", switchover: [{ componentName: "etcd", instanceName: "*" }] }),
      opsOf({ type: "Stop" }),
      opsOf({ type: "Start" }),
    ]) {
      assert.equal(validate(op, cluster), undefined, op.spec.type);
    }
  });

  it("names components the Cluster does not have", () => {
    const problem = validate(opsOf({ type: "Restart", restart: [{ componentName: "mysql" }] }), clusterOf());
    assert.equal(problem?.reason, "ValidateFailed");
    assert.match(problem?.message ?? "", /component mysql not found in Cluster db \(components: etcd\)/);
  });

  it("refuses a type Atoll does not perform and a Cluster being deleted", () => {
    assert.equal(validate(opsOf({ type: "Backup" as "Stop" }), clusterOf())?.reason, "OpsTypeNotSupported");
    const deleting = clusterOf();
    deleting.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
    assert.match(validate(opsOf({ type: "Stop" }), deleting)?.message ?? "", /being deleted/);
  });

  it("needs an operation's list to name something", () => {
    assert.match(
      validate(opsOf({ type: "Restart", restart: [] }), clusterOf())?.message ?? "",
      /at least one/,
    );
    assert.match(validate(opsOf({ type: "Restart" }), clusterOf())?.message ?? "", /at least one/);
  });

  it("needs replicas for HorizontalScaling (scaleOut/scaleIn are not read)", () => {
    const op = opsOf({
      type: "HorizontalScaling",
      horizontalScaling: [{ componentName: "etcd", scaleOut: {} }],
    });
    assert.match(validate(op, clusterOf())?.message ?? "", /needs replicas/);
  });

  it("checks VerticalScaling's quantities and that requests do not exceed limits (with current values)", () => {
    const cluster = clusterOf({ resources: { limits: { cpu: "500m" } } });
    const none = opsOf({ type: "VerticalScaling", verticalScaling: [{ componentName: "etcd" }] });
    assert.match(validate(none, cluster)?.message ?? "", /needs requests or limits/);
    const bad = opsOf({
      type: "VerticalScaling",
      verticalScaling: [{ componentName: "etcd", requests: { cpu: "lots" } }],
    });
    assert.match(validate(bad, cluster)?.message ?? "", /requests: cpu: quantities must match/);
    const over = opsOf({
      type: "VerticalScaling",
      verticalScaling: [{ componentName: "etcd", requests: { cpu: "1" } }],
    });
    assert.match(
      validate(over, cluster)?.message ?? "",
      /cpu request must be less than or equal to its limit/,
    );
    const raised = opsOf({
      type: "VerticalScaling",
      verticalScaling: [{ componentName: "etcd", requests: { cpu: "1" }, limits: { cpu: "2" } }],
    });
    assert.equal(validate(raised, cluster), undefined);
  });

  it("checks a Switchover's candidate is a replica of the component, and * has another replica to go to", () => {
    const stranger = opsOf({
      type: "Switchover",
      switchover: [{ componentName: "etcd", instanceName: "db-etcd-7" }],
    });
    assert.match(
      validate(stranger, clusterOf())?.message ?? "",
      /db-etcd-7 is not a replica of the component/,
    );
    const alone = opsOf({ type: "Switchover", switchover: [{ componentName: "etcd", instanceName: "*" }] });
    assert.match(validate(alone, clusterOf({ replicas: 1 }))?.message ?? "", /at least two replicas/);
  });

  it("a Switchover to * needs a leader when it starts", () => {
    const op = opsOf({ type: "Switchover", switchover: [{ componentName: "etcd", instanceName: "*" }] });
    assert.equal(checkAtStart(op, clusterOf()), undefined);
    const leaderless = clusterOf({
      components: { etcd: { phase: "Running", replicas: replicasOf(3, ({ role: _, ...r }) => r) } },
    });
    assert.match(checkAtStart(op, leaderless)?.message ?? "", /no leader/);
  });
});

describe("the Cluster phases an operation may start from", () => {
  it("Restart, scaling and Switchover need the Cluster up; Stop also from Updating; Start only from Stopped", () => {
    const restart = opsOf({ type: "Restart", restart: [{ componentName: "etcd" }] });
    assert.equal(checkClusterPhase(restart, clusterOf({ phase: "Abnormal" })), undefined);
    const creating = checkClusterPhase(restart, clusterOf({ phase: "Creating" }));
    assert.equal(creating?.reason, "ClusterPhaseMismatch");
    assert.equal(
      creating?.message,
      "OpsRequest.spec.type=Restart is forbidden when Cluster.status.phase=Creating",
    );
    assert.equal(checkClusterPhase(opsOf({ type: "Stop" }), clusterOf({ phase: "Updating" })), undefined);
    assert.ok(checkClusterPhase(opsOf({ type: "Stop" }), clusterOf({ phase: "Stopped" })));
    assert.ok(checkClusterPhase(opsOf({ type: "Start" }), clusterOf({ phase: "Running" })));
    assert.equal(checkClusterPhase(opsOf({ type: "Start" }), clusterOf({ phase: "Stopped" })), undefined);
  });

  it("force skips the check, except for Start", () => {
    const forced = opsOf({ type: "Restart", restart: [{ componentName: "etcd" }], force: true });
    assert.equal(checkClusterPhase(forced, clusterOf({ phase: "Creating" })), undefined);
    assert.ok(checkClusterPhase(opsOf({ type: "Start", force: true }), clusterOf({ phase: "Running" })));
  });

  it("a Cluster without a phase yet is a mismatch", () => {
    const cluster = clusterOf();
    delete cluster.status;
    assert.match(checkClusterPhase(opsOf({ type: "Stop" }), cluster)?.message ?? "", /phase=\(none yet\)/);
  });
});
