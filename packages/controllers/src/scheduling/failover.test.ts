import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  MEMBER_CLUSTERS,
  type MemberCluster,
  MemberTaints,
  RESOURCE_BINDINGS,
  type ResourceBinding,
} from "@atoll/api";
import type { KubeClient } from "@atoll/kube";
import type { PropagationContext } from "../propagation/context.ts";
import { startFleet, type TestFleet, until } from "../testing/fleet.fixture.ts";
import {
  createBinding,
  deleteBindings,
  ensureNamespace,
  getBinding,
  NAMESPACE,
  noExecute,
  placed,
  setTaints,
  untilScheduled,
} from "./bindings.fixture.ts";
import { GracefulEvictionController } from "./graceful-eviction-controller.ts";
import { SchedulingController } from "./scheduling-controller.ts";
import { TaintManager, type TaintManagerOptions } from "./taint-manager.ts";

const DIVIDED = { replicaSchedulingType: "Divided", replicaDivisionPreference: "Weighted" } as const;

let fleet: TestFleet;
let hub: KubeClient;
const errors: string[] = [];

before(async () => {
  fleet = await startFleet({ ids: [155, 156, 157, 158] });
  hub = fleet.hub;
  await ensureNamespace(hub);
  await until("members report their APIs", async () => {
    const list = (await hub.list(MEMBER_CLUSTERS)).items as MemberCluster[];
    return list.every((mc) => mc.status?.apiEnablements?.length);
  });
});

after(async () => {
  await fleet?.stop();
});

/** The three failover controllers over the fleet, stopped by the returned function. */
function startFailover(options: { context?: PropagationContext; taintManager?: TaintManagerOptions } = {}) {
  const context: PropagationContext = {
    ...(options.context ?? fleet.context),
    onError: (controller, key, error) => errors.push(`${controller} ${key}: ${String(error)}`),
  };
  const runnables = {
    scheduler: new SchedulingController(context),
    taintManager: new TaintManager(context, options.taintManager),
    gracefulEviction: new GracefulEvictionController(context),
  };
  return {
    ...runnables,
    stop: () => {
      for (const r of Object.values(runnables)) r.stop();
    },
  };
}

const taskOf = (b: ResourceBinding, member: string) =>
  b.spec.gracefulEvictionTasks?.find((t) => t.fromCluster === member);

/** Stands in for the binding controller: reports each member's copy as applied with the given health. */
async function reportHealth(name: string, health: Record<string, "Healthy" | "Unhealthy">): Promise<void> {
  const aggregatedStatus = Object.entries(health).map(([clusterName, h]) => ({
    clusterName,
    applied: true,
    health: h,
  }));
  await hub.patch(
    RESOURCE_BINDINGS,
    NAMESPACE,
    `${name}-deployment`,
    "merge",
    { status: { aggregatedStatus } },
    {
      subresource: "status",
    },
  );
}

describe("failover", () => {
  test("an untolerated NoExecute taint moves the replicas away; the task ends when the new copies are healthy", async () => {
    const failover = startFailover();
    try {
      await createBinding(hub, "web", {
        replicas: 6,
        placement: {
          clusterAffinity: { clusterNames: ["k8s-1", "k8s-2", "k8s-3"] },
          replicaScheduling: DIVIDED,
        },
      });
      assert.deepEqual(placed(await untilScheduled(hub, "web")), { "k8s-1": 2, "k8s-2": 2, "k8s-3": 2 });

      await setTaints(hub, "k8s-1", [noExecute("maintenance")]);
      const evicted = await until("k8s-1 evicted and the replicas placed elsewhere", async () => {
        const b = await untilScheduled(hub, "web");
        return taskOf(b, "k8s-1") ? b : undefined;
      });
      assert.deepEqual(placed(evicted), { "k8s-2": 3, "k8s-3": 3 });
      const task = taskOf(evicted, "k8s-1");
      assert.deepEqual(
        { ...task, creationTimestamp: typeof task?.creationTimestamp },
        {
          fromCluster: "k8s-1",
          replicas: 2,
          reason: "TaintUntolerated",
          message: "taint maintenance:NoExecute is not tolerated",
          producer: "taint-manager",
          gracePeriodSeconds: 600,
          creationTimestamp: "string",
        },
      );

      // The old copy goes once both new copies are applied and healthy (the unhealthy case: graceful-eviction.test.ts).
      await reportHealth("web", { "k8s-2": "Healthy", "k8s-3": "Healthy" });
      const done = await until("the eviction task ends", async () => {
        const b = await getBinding(hub, "web");
        return b.spec.gracefulEvictionTasks === undefined ? b : undefined;
      });
      // Still tainted: k8s-1 gets nothing back once the task is gone.
      const rescheduled = await untilScheduled(hub, "web");
      assert.equal(rescheduled.metadata.generation, done.metadata.generation);
      assert.deepEqual(placed(rescheduled), { "k8s-2": 3, "k8s-3": 3 });
    } finally {
      failover.stop();
      await setTaints(hub, "k8s-1", []);
      await deleteBindings(hub, ["web"]);
    }
  });

  test("a toleration with tolerationSeconds keeps the binding until it runs out", async () => {
    const failover = startFailover();
    try {
      await createBinding(hub, "patient", {
        replicas: 1,
        placement: {
          clusterAffinity: { clusterNames: ["k8s-2", "k8s-3"] },
          clusterTolerations: [
            { key: "flaky", operator: "Exists", effect: "NoExecute", tolerationSeconds: 5 },
          ],
        },
      });
      await createBinding(hub, "impatient", {
        replicas: 1,
        placement: { clusterAffinity: { clusterNames: ["k8s-2", "k8s-3"] } },
      });
      await untilScheduled(hub, "patient");
      await untilScheduled(hub, "impatient");

      const taint = noExecute("flaky");
      const added = Date.parse(taint.timeAdded ?? "");
      await setTaints(hub, "k8s-2", [taint]);
      const impatient = await until("impatient evicted", async () =>
        taskOf(await getBinding(hub, "impatient"), "k8s-2"),
      );
      const patientMeanwhile = await getBinding(hub, "patient");
      const patient = await until("patient evicted", async () =>
        taskOf(await getBinding(hub, "patient"), "k8s-2"),
      );

      assert.ok(Date.parse(impatient.creationTimestamp ?? "") < added + 5000, "impatient went at once");
      assert.equal(taskOf(patientMeanwhile, "k8s-2"), undefined);
      assert.ok(Date.parse(patient.creationTimestamp ?? "") >= added + 5000, "patient stayed its 5 s");
      assert.match(patient.message ?? "", /^the toleration of taint flaky:NoExecute ran out at /);
      assert.deepEqual(placed(await untilScheduled(hub, "patient")), { "k8s-3": 1 });
    } finally {
      failover.stop();
      await setTaints(hub, "k8s-2", []);
      await deleteBindings(hub, ["patient", "impatient"]);
    }
  });

  test("evictions are rate-limited fleet-wide: one per token, in turn", async () => {
    let now = Date.now();
    const clock = { now: () => new Date(now) };
    const taintManager = new TaintManager(
      { ...fleet.context, clock, onError: (c, k, e) => errors.push(`${c} ${k}: ${String(e)}`) },
      { evictionsPerSecond: 1 },
    );
    try {
      const names = ["rl-a", "rl-b", "rl-c"];
      for (const name of names) {
        // Placed by hand: only the taint manager runs here, on a clock that moves when the test says.
        await createBinding(hub, name, {
          replicas: 1,
          placement: { clusterAffinity: { clusterNames: ["k8s-4"] } },
        });
        await hub.patch(RESOURCE_BINDINGS, NAMESPACE, `${name}-deployment`, "merge", {
          spec: { clusters: [{ name: "k8s-4", replicas: 1 }] },
        });
      }
      const evictedCount = async () => {
        const bindings = await Promise.all(names.map((n) => getBinding(hub, n)));
        return bindings.filter((b) => taskOf(b, "k8s-4")).length;
      };
      await setTaints(hub, "k8s-4", [noExecute("drain")]);
      await until("one evicted, two waiting", () => taintManager.state().waitingForToken === 2);
      assert.equal(await evictedCount(), 1);
      now += 1000;
      await until("a second evicted", async () => (await evictedCount()) === 2);
      assert.equal(taintManager.state().waitingForToken, 1);
      now += 1000;
      await until("the third evicted", async () => (await evictedCount()) === 3);
      assert.equal(taintManager.state().waitingForToken, 0);
    } finally {
      taintManager.stop();
      await setTaints(hub, "k8s-4", []);
      await deleteBindings(hub, ["rl-a", "rl-b", "rl-c"]);
    }
  });

  test("evictions pause while most of the fleet is unreachable, and resume when it recovers", async () => {
    // 0.4: two of four down (50%) still pauses, so bringing members back one by one never opens a window.
    const failover = startFailover({ taintManager: { unhealthyThreshold: 0.4 } });
    const down = ["k8s-2", "k8s-3", "k8s-4"];
    try {
      await createBinding(hub, "everywhere", { replicas: 1 });
      assert.deepEqual(placed(await untilScheduled(hub, "everywhere")), {
        "k8s-1": 1,
        "k8s-2": 1,
        "k8s-3": 1,
        "k8s-4": 1,
      });
      for (const name of down) await fleet.member(name).host.setApiDown(true);
      await until(
        "three members unreachable with NoExecute taints",
        async () => {
          const list = (await hub.list(MEMBER_CLUSTERS)).items as MemberCluster[];
          const tainted = list.filter((mc) =>
            mc.spec.taints?.some((t) => t.key === MemberTaints.unreachable && t.effect === "NoExecute"),
          );
          return tainted.length === 3;
        },
        20_000,
      );
      await until("the eviction held by the pause", () => failover.taintManager.state().heldByPause === 1);
      const state = failover.taintManager.state();
      assert.deepEqual(
        { paused: state.paused, unhealthy: state.unhealthy, counted: state.counted },
        {
          paused: true,
          unhealthy: 3,
          counted: 4,
        },
      );
      const held = await untilScheduled(hub, "everywhere");
      assert.deepEqual(Object.keys(placed(held)), ["k8s-1", "k8s-2", "k8s-3", "k8s-4"]);
      assert.equal(held.spec.gracefulEvictionTasks, undefined);

      await fleet.member("k8s-2").host.setApiDown(false);
      await fleet.member("k8s-3").host.setApiDown(false);
      const evicted = await until(
        "k8s-4 evicted once the fleet recovers",
        async () => {
          const b = await getBinding(hub, "everywhere");
          return taskOf(b, "k8s-4") ? b : undefined;
        },
        20_000,
      );
      assert.deepEqual(
        evicted.spec.gracefulEvictionTasks?.map((t) => t.fromCluster),
        ["k8s-4"],
      );
      assert.deepEqual(Object.keys(placed(evicted)), ["k8s-1", "k8s-2", "k8s-3"]);
      assert.equal(failover.taintManager.state().paused, false);
    } finally {
      failover.stop();
      for (const name of down) await fleet.member(name).host.setApiDown(false);
    }
    assert.deepEqual(errors, []);
  });
});
