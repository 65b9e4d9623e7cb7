/**
 * The execution controller when things go away or go wrong: Work deletion
 * (with and without preserving member objects), disabled, suspended,
 * unreachable and deleted members, manifests a member rejects, unknown kinds.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  AppliedReasons,
  executionNamespace,
  MEMBER_CLUSTERS,
  MemberConditions,
  PropagationFinalizers,
  WORKS,
  type Work,
  WorkConditions,
} from "@atoll/api";
import { type KubeObject, R } from "@atoll/kube";
import { conditionOf, startFleet, type TestFleet, until } from "../testing/fleet.fixture.ts";
import { ExecutionController } from "./execution-controller.ts";
import { NotDispatchedReasons } from "./member-gate.ts";
import {
  configMap,
  countingContext,
  createExecutionNamespaces,
  createWork,
  deployment,
  getWork,
  workFor,
} from "./work.fixture.ts";

let fleet: TestFleet;
let controller: ExecutionController;
let writes: ReturnType<typeof countingContext>["writes"];

before(async () => {
  fleet = await startFleet({ ids: [174, 175, 176] });
  await createExecutionNamespaces(fleet);
  const counted = countingContext(fleet);
  writes = counted.writes;
  controller = new ExecutionController(counted.context);
  controller.start();
});

after(async () => {
  controller?.stop();
  await fleet?.stop();
});

async function condition(member: string, name: string, status: string, reason?: string): Promise<Work> {
  return until(`Work ${member}/${name} Applied=${status} ${reason ?? ""}`, async () => {
    const work = await getWork(fleet, member, name);
    const applied = conditionOf(work, WorkConditions.Applied);
    return applied?.status === status && (!reason || applied.reason === reason) ? work : undefined;
  });
}

async function deleteWork(member: string, name: string): Promise<void> {
  await fleet.hub.delete(WORKS, executionNamespace(member), name);
}

async function workGone(member: string, name: string): Promise<void> {
  await until(`Work ${member}/${name} gone`, async () => !(await getWork(fleet, member, name)));
}

async function setMember(member: string, spec: Record<string, unknown>): Promise<void> {
  await fleet.hub.patch(MEMBER_CLUSTERS, undefined, member, "merge", { spec });
}

async function memberReady(member: string, status: string): Promise<void> {
  await until(`member ${member} Ready=${status}`, async () => {
    const mc = await fleet.hub.get(MEMBER_CLUSTERS, undefined, member);
    return conditionOf(mc, MemberConditions.Ready)?.status === status;
  });
}

describe("status", () => {
  test("a rollout's burst of member status updates reaches the Work in fewer writes, ending exact", async () => {
    const client = fleet.member("k8s-2").client;
    let memberUpdates = 0;
    const watch = client.watch(
      R.deployments,
      { namespace: "rollout" },
      { onEvent: (type) => void (type === "MODIFIED" && memberUpdates++), onClose() {} },
    );
    try {
      await createWork(fleet, workFor("k8s-2", "rollout", [deployment("rollout", "web", 6)]));
      const work = await until("the Deployment Healthy in Work status", async () => {
        const w = await getWork(fleet, "k8s-2", "rollout");
        return w?.status?.manifestStatuses?.[0]?.health === "Healthy" ? w : undefined;
      });
      const live = await client.get(R.deployments, "rollout", "web");
      assert.deepEqual(work.status?.manifestStatuses?.[0]?.status, live?.status);
      const statusWrites = writes.hubLog.filter(
        (w) =>
          w.name === "rollout" && w.subresource === "status" && w.namespace === executionNamespace("k8s-2"),
      ).length;
      console.log(`rollout: ${memberUpdates} member Deployment updates, ${statusWrites} Work status writes`);
      assert.ok(statusWrites >= 2, `${statusWrites} status writes`);
      assert.ok(statusWrites < memberUpdates, `${statusWrites} writes for ${memberUpdates} member updates`);
    } finally {
      watch.stop();
    }
  });
});

describe("deleting Works", () => {
  test("deleting a Work removes its objects from the member, then releases the Work", async () => {
    const client = fleet.member("k8s-1").client;
    await createWork(
      fleet,
      workFor("k8s-1", "gone", [deployment("del", "web", 1), configMap("del", "settings", { a: "1" })]),
    );
    await condition("k8s-1", "gone", "True");
    const dep = await client.get(R.deployments, "del", "web");
    assert.ok(dep);
    await deleteWork("k8s-1", "gone");
    await workGone("k8s-1", "gone");
    assert.equal(await client.get(R.configmaps, "del", "settings"), undefined);
    const left = await client.get(R.deployments, "del", "web");
    assert.ok(!left || left.metadata.deletionTimestamp, "the Deployment is deleted or being deleted");
    // The namespace Atoll created stays: other Works may use it, and it holds what others put there.
    assert.ok(await client.get(R.namespaces, undefined, "del"));
  });

  test("preserveResourcesOnDeletion keeps the member objects", async () => {
    const client = fleet.member("k8s-1").client;
    await createWork(
      fleet,
      workFor("k8s-1", "kept", [configMap("del", "kept", { a: "1" })], { preserveResourcesOnDeletion: true }),
    );
    await condition("k8s-1", "kept", "True");
    await deleteWork("k8s-1", "kept");
    await workGone("k8s-1", "kept");
    assert.deepEqual((await client.get(R.configmaps, "del", "kept"))?.data, { a: "1" });
  });

  test("an unreachable member holds the Work until it can be cleaned", async () => {
    const member = fleet.member("k8s-2");
    await createWork(fleet, workFor("k8s-2", "later", [configMap("later", "settings", { a: "1" })]));
    await condition("k8s-2", "later", "True");
    await member.host.setApiDown(true);
    try {
      await memberReady("k8s-2", "Unknown");
      await deleteWork("k8s-2", "later");
      const held = await until("the Work marked for deletion", async () => {
        const w = await getWork(fleet, "k8s-2", "later");
        return w?.metadata.deletionTimestamp ? w : undefined;
      });
      assert.deepEqual(held.metadata.finalizers, [PropagationFinalizers.execution]);
    } finally {
      await member.host.setApiDown(false);
    }
    await workGone("k8s-2", "later");
    assert.equal(await member.client.get(R.configmaps, "later", "settings"), undefined);
  });
});

describe("members that may not be written to", () => {
  test("a disabled member gets no writes; the Work says why and keeps its last statuses", async () => {
    const client = fleet.member("k8s-3").client;
    await createWork(fleet, workFor("k8s-3", "frozen", [configMap("frozen", "settings", { v: "1" })]));
    const before = await condition("k8s-3", "frozen", "True");
    await setMember("k8s-3", { disabled: true });
    const disabled = await condition("k8s-3", "frozen", "Unknown", NotDispatchedReasons.MemberDisabled);
    assert.match(String(conditionOf(disabled, WorkConditions.Applied)?.message), /k8s-3 is disabled/);
    assert.deepEqual(disabled.status?.manifestStatuses, before.status?.manifestStatuses);
    assert.equal(conditionOf(disabled, WorkConditions.Available)?.status, "True");

    const memberWrites = writes.members.get("k8s-3") ?? 0;
    await fleet.hub.patch(WORKS, executionNamespace("k8s-3"), "frozen", "merge", {
      spec: { workload: { manifests: [configMap("frozen", "settings", { v: "2" })] } },
    });
    await createWork(fleet, workFor("k8s-3", "new", [configMap("frozen", "new", { v: "1" })]));
    await condition("k8s-3", "new", "Unknown", NotDispatchedReasons.MemberDisabled);
    await until("the changed Work seen", async () => {
      const w = await getWork(fleet, "k8s-3", "frozen");
      return conditionOf(w, WorkConditions.Applied)?.observedGeneration === w?.metadata.generation;
    });
    assert.equal(writes.members.get("k8s-3") ?? 0, memberWrites);
    assert.deepEqual((await client.get(R.configmaps, "frozen", "settings"))?.data, { v: "1" });
    assert.equal(await client.get(R.configmaps, "frozen", "new"), undefined);

    await setMember("k8s-3", { disabled: false });
    await condition("k8s-3", "new", "True");
    await condition("k8s-3", "frozen", "True");
    assert.deepEqual((await client.get(R.configmaps, "frozen", "settings"))?.data, { v: "2" });
  });

  test("a Work with suspendDispatching is not applied until resumed", async () => {
    const client = fleet.member("k8s-1").client;
    await createWork(
      fleet,
      workFor("k8s-1", "paused", [configMap("paused", "settings", { v: "1" })], { suspendDispatching: true }),
    );
    const work = await condition("k8s-1", "paused", "Unknown", NotDispatchedReasons.DispatchingSuspended);
    assert.equal(await client.get(R.configmaps, "paused", "settings"), undefined);
    assert.equal(work.metadata.finalizers, undefined);
    await fleet.hub.patch(WORKS, executionNamespace("k8s-1"), "paused", "merge", {
      spec: { suspendDispatching: false },
    });
    await condition("k8s-1", "paused", "True");
    assert.deepEqual((await client.get(R.configmaps, "paused", "settings"))?.data, { v: "1" });
  });
});

describe("manifests that cannot be applied", () => {
  test("a manifest the member rejects fails with the API's message; the others are applied", async () => {
    const client = fleet.member("k8s-1").client;
    const bad = deployment("rejects", "bad", 1);
    (bad.spec as Record<string, unknown>).replicas = -1;
    await createWork(
      fleet,
      workFor("k8s-1", "rejects", [
        configMap("rejects", "before", { a: "1" }),
        bad,
        configMap("rejects", "after", { b: "2" }),
      ]),
    );
    const work = await condition("k8s-1", "rejects", "False", AppliedReasons.Failed);
    const message = String(conditionOf(work, WorkConditions.Applied)?.message);
    assert.match(
      message,
      /^1 of 3 manifests not applied: applying deployments\.apps rejects\/bad in member k8s-1 failed: /,
    );
    assert.match(message, /spec\.replicas: Invalid value: -1: must be greater than or equal to 0/);
    assert.deepEqual((await client.get(R.configmaps, "rejects", "before"))?.data, { a: "1" });
    assert.deepEqual((await client.get(R.configmaps, "rejects", "after"))?.data, { b: "2" });
    assert.equal(await client.get(R.deployments, "rejects", "bad"), undefined);
    assert.deepEqual(
      work.status?.manifestStatuses?.map((s) => [s.identifier.name, s.health]),
      [
        ["before", "Healthy"],
        ["bad", "Unknown"],
        ["after", "Healthy"],
      ],
    );
    assert.equal(conditionOf(work, WorkConditions.Available)?.status, "False");

    (bad.spec as Record<string, unknown>).replicas = 1;
    await fleet.hub.patch(WORKS, executionNamespace("k8s-1"), "rejects", "merge", {
      spec: {
        workload: {
          manifests: [
            configMap("rejects", "before", { a: "1" }),
            bad,
            configMap("rejects", "after", { b: "2" }),
          ],
        },
      },
    });
    await condition("k8s-1", "rejects", "True");
    assert.ok(await client.get(R.deployments, "rejects", "bad"));
  });

  test("a kind no API serves fails clearly, and applies once its CRD is installed", async () => {
    const widget: KubeObject = {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w1", namespace: "widgets" },
      spec: { size: 3 },
    };
    await createWork(fleet, workFor("k8s-2", "widgets", [widget, configMap("widgets", "plain", { a: "1" })]));
    const work = await condition("k8s-2", "widgets", "False", AppliedReasons.Failed);
    assert.match(
      String(conditionOf(work, WorkConditions.Applied)?.message),
      /manifest 0: no API serves kind Widget in example\.com\/v1/,
    );
    assert.ok(await fleet.member("k8s-2").client.get(R.configmaps, "widgets", "plain"));

    const crd = widgetCrd();
    await fleet.member("k8s-2").client.create(R.customresourcedefinitions, undefined, crd);
    await fleet.hub.create(R.customresourcedefinitions, undefined, crd);
    await condition("k8s-2", "widgets", "True");
    const widgets = {
      group: "example.com",
      version: "v1",
      resource: "widgets",
      kind: "Widget",
      namespaced: true,
    };
    const live = await fleet.member("k8s-2").client.get(widgets, "widgets", "w1");
    assert.deepEqual(live?.spec, { size: 3 });
  });
});

describe("members that leave", () => {
  test("an unjoining member is left to the unjoin's drain; its Works are then released untouched", async () => {
    const client = fleet.member("k8s-3").client;
    await createWork(fleet, workFor("k8s-3", "orphan", [configMap("orphan", "settings", { a: "1" })]));
    await condition("k8s-3", "orphan", "True");
    await fleet.hub.delete(MEMBER_CLUSTERS, undefined, "k8s-3");
    await until("k8s-3 unjoined", async () => !(await fleet.hub.get(MEMBER_CLUSTERS, undefined, "k8s-3")));
    // The drain removed the ConfigMap and nothing put it back.
    assert.equal(await client.get(R.configmaps, "orphan", "settings"), undefined);
    const work = await condition("k8s-3", "orphan", "Unknown", NotDispatchedReasons.MemberNotFound);
    assert.deepEqual(work.metadata.finalizers, [PropagationFinalizers.execution]);
    const memberWrites = writes.members.get("k8s-3") ?? 0;
    await deleteWork("k8s-3", "orphan");
    await workGone("k8s-3", "orphan");
    assert.equal(writes.members.get("k8s-3") ?? 0, memberWrites);
  });
});

function widgetCrd(): KubeObject {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.com" },
    spec: {
      group: "example.com",
      scope: "Namespaced",
      names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: { spec: { type: "object", properties: { size: { type: "integer" } } } },
            },
          },
        },
      ],
    },
  };
}
