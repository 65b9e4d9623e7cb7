/**
 * The execution controller against a real fleet: Works written at the hub,
 * outcomes read through each member's own API.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  AppliedReasons,
  AtollLabels,
  executionNamespace,
  PropagationAnnotations,
  PropagationFinalizers,
  WORKS,
  type Work,
  WorkConditions,
} from "@atoll/api";
import { isRecord, type KubeObject, R } from "@atoll/kube";
import { conditionOf, startFleet, type TestFleet, until } from "../testing/fleet.fixture.ts";
import { ExecutionController } from "./execution-controller.ts";
import { RetryLater } from "./failures.ts";
import {
  configMap,
  countingContext,
  createExecutionNamespaces,
  createWork,
  deployment,
  getWork,
  service,
  workFor,
} from "./work.fixture.ts";

let fleet: TestFleet;
let controller: ExecutionController;
let writes: ReturnType<typeof countingContext>["writes"];
const errors: unknown[] = [];

before(async () => {
  fleet = await startFleet({ ids: [171, 172, 173] });
  await createExecutionNamespaces(fleet);
  const counted = countingContext(fleet);
  writes = counted.writes;
  controller = new ExecutionController({ ...counted.context, onError: (_c, _k, e) => errors.push(e) });
  controller.start();
});

after(async () => {
  controller?.stop();
  await fleet?.stop();
});

const MANAGED = { [AtollLabels.managedBy]: AtollLabels.managedByValue };

/** Annotations without the manifest digest, which must be there (any value). */
function annotationsOf(object: KubeObject | undefined): Record<string, string> | undefined {
  const annotations = object?.metadata.annotations;
  if (!annotations) return annotations;
  const { [PropagationAnnotations.manifestDigest]: digest, ...rest } = annotations;
  assert.match(String(digest), /^[\w-]{22}$/, "a manifest digest on every object Atoll applies");
  return rest;
}

function workAnnotations(member: string, work: string) {
  return {
    [PropagationAnnotations.workName]: work,
    [PropagationAnnotations.workNamespace]: executionNamespace(member),
  };
}

async function applied(member: string, name: string, status = "True"): Promise<Work> {
  return until(`Work ${member}/${name} Applied=${status}`, async () => {
    const work = await getWork(fleet, member, name);
    return conditionOf(work, WorkConditions.Applied)?.status === status ? work : undefined;
  });
}

function spec(object: KubeObject | undefined): Record<string, unknown> {
  return isRecord(object?.spec) ? object.spec : {};
}

describe("applying Works", () => {
  const shop = () => [
    deployment("shop", "web", 2),
    configMap("shop", "web-config", { mode: "fast" }),
    service("shop", "web"),
  ];

  test("a Deployment, a ConfigMap and a Service land in two members, labelled and annotated", async () => {
    for (const member of ["k8s-1", "k8s-2"]) await createWork(fleet, workFor(member, "shop", shop()));
    for (const member of ["k8s-1", "k8s-2"]) {
      const work = await applied(member, "shop");
      assert.deepEqual(work.metadata.finalizers, [PropagationFinalizers.execution]);
      assert.deepEqual(
        work.status?.manifestStatuses?.map((s) => s.identifier),
        [
          {
            ordinal: 0,
            group: "apps",
            version: "v1",
            kind: "Deployment",
            resource: "deployments",
            namespace: "shop",
            name: "web",
          },
          {
            ordinal: 1,
            version: "v1",
            kind: "ConfigMap",
            resource: "configmaps",
            namespace: "shop",
            name: "web-config",
          },
          {
            ordinal: 2,
            version: "v1",
            kind: "Service",
            resource: "services",
            namespace: "shop",
            name: "web",
          },
        ],
      );
      assert.equal(conditionOf(work, WorkConditions.Applied)?.reason, AppliedReasons.Success);
      assert.equal(conditionOf(work, WorkConditions.Available)?.status, "True");

      const client = fleet.member(member).client;
      const ns = await client.get(R.namespaces, undefined, "shop");
      assert.deepEqual(ns?.metadata.labels?.[AtollLabels.managedBy], AtollLabels.managedByValue);
      const dep = await client.get(R.deployments, "shop", "web");
      assert.deepEqual(dep?.metadata.labels, { app: "web", ...MANAGED });
      assert.deepEqual(annotationsOf(dep), {
        ...annotationsOf(dep),
        ...workAnnotations(member, "shop"),
      });
      assert.equal(spec(dep).replicas, 2);
      const cm = await client.get(R.configmaps, "shop", "web-config");
      assert.deepEqual(cm?.data, { mode: "fast" });
      assert.deepEqual(cm?.metadata.labels, MANAGED);
      assert.deepEqual(annotationsOf(cm), workAnnotations(member, "shop"));
      const svc = await client.get(R.services, "shop", "web");
      const id = member === "k8s-1" ? 171 : 172;
      assert.match(String(spec(svc).clusterIP), new RegExp(`^127\\.${id}\\.`));
      const managers = (svc?.metadata.managedFields ?? []).filter(isRecord).map((f) => f.manager);
      assert.ok(managers.includes("atoll-execution"), `managers: ${managers.join(", ")}`);
    }
  });

  test("re-applying a changed Service keeps the member's own clusterIP", async () => {
    const client = fleet.member("k8s-1").client;
    const before = await client.get(R.services, "shop", "web");
    const changed = shop();
    changed[2].metadata.labels = { tier: "front" };
    await fleet.hub.patch(WORKS, executionNamespace("k8s-1"), "shop", "merge", {
      spec: { workload: { manifests: changed } },
    });
    const after = await until("the Service relabelled", async () => {
      const svc = await client.get(R.services, "shop", "web");
      return svc?.metadata.labels?.tier === "front" ? svc : undefined;
    });
    assert.equal(spec(after).clusterIP, spec(before).clusterIP);
    assert.deepEqual(spec(after).clusterIPs, spec(before).clusterIPs);
    assert.equal(after.metadata.uid, before?.metadata.uid);
  });

  test("an object Atoll created loses what its manifest drops: the create's field ownership becomes an apply's", async () => {
    const client = fleet.member("k8s-2").client;
    const trimmed = configMap("shop", "trim", { a: "1", b: "2" });
    trimmed.metadata.labels = { extra: "yes" };
    await createWork(fleet, workFor("k8s-2", "trim", [trimmed]));
    const created = await until("the ConfigMap created", () => client.get(R.configmaps, "shop", "trim"));
    const entries = (object: KubeObject | undefined) =>
      ((object?.metadata.managedFields ?? []) as { manager: string; operation: string }[])
        .filter((e) => e.manager === "atoll-execution")
        .map((e) => e.operation);
    assert.deepEqual(entries(created), ["Update"], "one request made it: a create");
    await fleet.hub.patch(WORKS, executionNamespace("k8s-2"), "trim", "merge", {
      spec: { workload: { manifests: [configMap("shop", "trim", { a: "1" })] } },
    });
    const after = await until("b and the label gone", async () => {
      const cm = await client.get(R.configmaps, "shop", "trim");
      return (cm?.data as Record<string, string> | undefined)?.b === undefined &&
        cm?.metadata.labels?.extra === undefined
        ? cm
        : undefined;
    });
    assert.deepEqual(after.data, { a: "1" });
    assert.deepEqual(after.metadata.labels, MANAGED);
    assert.deepEqual(entries(after), ["Apply"]);
    assert.equal(after.metadata.uid, created.metadata.uid);
  });

  test("the member Deployment's status shows in the Work, Healthy once its pods are ready", async () => {
    const work = await until("the Deployment Healthy in Work status", async () => {
      const w = await getWork(fleet, "k8s-2", "shop");
      return w?.status?.manifestStatuses?.[0]?.health === "Healthy" ? w : undefined;
    });
    const [dep, cm, svc] = work.status?.manifestStatuses ?? [];
    const live = await fleet.member("k8s-2").client.get(R.deployments, "shop", "web");
    assert.equal(dep?.status?.readyReplicas, 2);
    assert.equal(dep?.status?.availableReplicas, 2);
    assert.equal(dep?.status?.observedGeneration, live?.metadata.generation);
    assert.equal(cm?.health, "Healthy");
    assert.equal(cm?.status, undefined);
    assert.equal(svc?.health, "Healthy");
  });

  test("a steady state writes nothing, even when a member object changes in a way the manifest does not care about", async () => {
    await until("k8s-2 settled", async () => {
      const w = await getWork(fleet, "k8s-2", "shop");
      const live = await fleet.member("k8s-2").client.get(R.deployments, "shop", "web");
      return (
        w?.status?.manifestStatuses?.[0]?.status?.observedGeneration === live?.metadata.generation &&
        w?.status?.manifestStatuses?.[0]?.health === "Healthy"
      );
    });
    const client = fleet.member("k8s-2").client;
    await client.patch(R.configmaps, "shop", "web-config", "merge", {
      metadata: { labels: { extra: "by-hand" } },
    });
    const hubBefore = writes.hub;
    const memberBefore = writes.members.get("k8s-2") ?? 0;
    const workBefore = (await getWork(fleet, "k8s-2", "shop"))?.metadata.resourceVersion;
    // Absence can only be shown over a window: the edit re-queues the Work at once.
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(writes.members.get("k8s-2") ?? 0, memberBefore);
    assert.equal(writes.hub, hubBefore);
    assert.equal((await getWork(fleet, "k8s-2", "shop"))?.metadata.resourceVersion, workBefore);
    const cm = await client.get(R.configmaps, "shop", "web-config");
    assert.equal(cm?.metadata.labels?.extra, "by-hand");
  });

  test("an edited field and a deleted object in a member are restored within 1 s", async () => {
    const client = fleet.member("k8s-1").client;
    const samples: Array<{ what: string; ms: number }> = [];
    for (let i = 0; i < 3; i++) {
      const edited = await client.patch(R.deployments, "shop", "web", "merge", { spec: { replicas: 5 + i } });
      const started = performance.now();
      await until("replicas restored", async () => {
        const d = await client.get(R.deployments, "shop", "web");
        return spec(d).replicas === 2 && d?.metadata.resourceVersion !== edited.metadata.resourceVersion;
      });
      samples.push({ what: "edited replicas", ms: performance.now() - started });

      const old = await client.get(R.configmaps, "shop", "web-config");
      await client.delete(R.configmaps, "shop", "web-config");
      const deleted = performance.now();
      const restored = await until("ConfigMap recreated", async () => {
        const cm = await client.get(R.configmaps, "shop", "web-config");
        return cm && cm.metadata.uid !== old?.metadata.uid ? cm : undefined;
      });
      samples.push({ what: "deleted ConfigMap", ms: performance.now() - deleted });
      assert.deepEqual(restored.data, { mode: "fast" });
      assert.deepEqual(annotationsOf(restored), workAnnotations("k8s-1", "shop"));

      await client.patch(R.configmaps, "shop", "web-config", "merge", {
        metadata: { labels: { [AtollLabels.managedBy]: null } },
      });
      const unlabelled = performance.now();
      await until("managed-by label restored", async () => {
        const cm = await client.get(R.configmaps, "shop", "web-config");
        return cm?.metadata.labels?.[AtollLabels.managedBy] === AtollLabels.managedByValue;
      });
      samples.push({ what: "removed managed-by label", ms: performance.now() - unlabelled });
    }
    const worst = Math.max(...samples.map((s) => s.ms));
    console.log(
      `drift restore (ms): ${samples.map((s) => `${s.what} ${s.ms.toFixed(0)}`).join(", ")}; worst ${worst.toFixed(0)}`,
    );
    assert.ok(worst < 1000, `worst restore took ${worst.toFixed(0)} ms`);
  });
});

describe("conflicts with objects Atoll did not create", () => {
  test("Abort leaves a pre-existing object untouched and says so; Overwrite takes it over", async () => {
    const client = fleet.member("k8s-1").client;
    await client.create(R.configmaps, "shop", {
      metadata: { name: "legacy", namespace: "shop", labels: { owner: "member" } },
      data: { owner: "member" },
    });
    await createWork(
      fleet,
      workFor("k8s-1", "legacy", [
        configMap("shop", "legacy", { owner: "atoll" }),
        configMap("shop", "legacy-extra", { owner: "atoll" }),
      ]),
    );
    const work = await applied("k8s-1", "legacy", "False");
    const condition = conditionOf(work, WorkConditions.Applied);
    assert.equal(condition?.reason, AppliedReasons.Conflict);
    assert.match(String(condition?.message), /configmaps shop\/legacy already exists in member k8s-1/);
    assert.match(String(condition?.message), /Atoll did not create it/);
    const untouched = await client.get(R.configmaps, "shop", "legacy");
    assert.deepEqual(untouched?.data, { owner: "member" });
    assert.deepEqual(untouched?.metadata.labels, { owner: "member" });
    assert.equal(untouched?.metadata.annotations, undefined);
    assert.deepEqual((await client.get(R.configmaps, "shop", "legacy-extra"))?.data, { owner: "atoll" });
    assert.deepEqual(
      work.status?.manifestStatuses?.map((s) => s.health),
      ["Unknown", "Healthy"],
    );

    await fleet.hub.patch(WORKS, executionNamespace("k8s-1"), "legacy", "merge", {
      spec: { conflictResolution: "Overwrite" },
    });
    await applied("k8s-1", "legacy");
    const taken = await client.get(R.configmaps, "shop", "legacy");
    assert.deepEqual(taken?.data, { owner: "atoll" });
    assert.deepEqual(taken?.metadata.labels, { owner: "member", ...MANAGED });
    assert.deepEqual(annotationsOf(taken), workAnnotations("k8s-1", "legacy"));
    assert.equal(taken?.metadata.uid, untouched?.metadata.uid);
  });

  test("an object another Work applied is a conflict too", async () => {
    await createWork(fleet, workFor("k8s-1", "rival", [configMap("shop", "web-config", { mode: "slow" })]));
    const work = await applied("k8s-1", "rival", "False");
    assert.match(
      String(conditionOf(work, WorkConditions.Applied)?.message),
      /configmaps shop\/web-config .* applied by Work atoll-es-k8s-1\/shop/,
    );
    const cm = await fleet.member("k8s-1").client.get(R.configmaps, "shop", "web-config");
    assert.deepEqual(cm?.data, { mode: "fast" });
  });
});

describe("changing and creating Works", () => {
  test("a manifest removed from a Work is deleted from the member", async () => {
    const client = fleet.member("k8s-2").client;
    await createWork(
      fleet,
      workFor("k8s-2", "pair", [
        configMap("pair", "first", { n: "1" }),
        configMap("pair", "second", { n: "2" }),
      ]),
    );
    await applied("k8s-2", "pair");
    assert.ok(await client.get(R.configmaps, "pair", "second"));
    await fleet.hub.patch(WORKS, executionNamespace("k8s-2"), "pair", "merge", {
      spec: { workload: { manifests: [configMap("pair", "first", { n: "1" })] } },
    });
    await until("second removed", async () => !(await client.get(R.configmaps, "pair", "second")));
    const work = await until("status shows one manifest", async () => {
      const w = await getWork(fleet, "k8s-2", "pair");
      return w?.status?.manifestStatuses?.length === 1 ? w : undefined;
    });
    assert.equal(work.status?.manifestStatuses?.[0]?.identifier.name, "first");
    assert.deepEqual((await client.get(R.configmaps, "pair", "first"))?.data, { n: "1" });
  });

  test("a member namespace deleted under the objects is recreated with them once it is gone", async () => {
    const client = fleet.member("k8s-2").client;
    const before = await client.get(R.configmaps, "pair", "first");
    await client.delete(R.namespaces, undefined, "pair");
    const restored = await until("first recreated in a new namespace", async () => {
      const cm = await client.get(R.configmaps, "pair", "first");
      return cm && cm.metadata.uid !== before?.metadata.uid ? cm : undefined;
    });
    assert.deepEqual(restored.data, { n: "1" });
    const ns = await client.get(R.namespaces, undefined, "pair");
    assert.equal(ns?.metadata.labels?.[AtollLabels.managedBy], AtollLabels.managedByValue);
    await until("Work Applied again", async () => {
      const w = await getWork(fleet, "k8s-2", "pair");
      return (
        conditionOf(w, WorkConditions.Applied)?.status === "True" &&
        conditionOf(w, WorkConditions.Available)?.status === "True"
      );
    });
  });

  test("a namespace created for a manifest is adopted by a Work that brings the Namespace itself", async () => {
    const client = fleet.member("k8s-3").client;
    await createWork(fleet, workFor("k8s-3", "contents", [configMap("adopted", "inside", { a: "1" })]));
    await applied("k8s-3", "contents");
    const namespace: KubeObject = {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "adopted", labels: { team: "shop" } },
    };
    await createWork(fleet, workFor("k8s-3", "namespace", [namespace]));
    await applied("k8s-3", "namespace");
    const ns = await client.get(R.namespaces, undefined, "adopted");
    assert.equal(ns?.metadata.labels?.team, "shop");
    assert.deepEqual(
      { ...ns?.metadata.annotations, ...workAnnotations("k8s-3", "namespace") },
      ns?.metadata.annotations,
    );
    // A namespace someone else made is a conflict, as any object is.
    await client.create(R.namespaces, undefined, { metadata: { name: "theirs" } });
    await createWork(fleet, workFor("k8s-3", "theirs", [{ ...namespace, metadata: { name: "theirs" } }]));
    const work = await applied("k8s-3", "theirs", "False");
    assert.equal(conditionOf(work, WorkConditions.Applied)?.reason, AppliedReasons.Conflict);
  });

  test("a Work created with kubectl apply -f is applied too", async () => {
    const file = join(fleet.dir, "work.yaml");
    await writeFile(
      file,
      `apiVersion: work.atoll.io/v1alpha1
kind: Work
metadata:
  name: from-kubectl
  namespace: ${executionNamespace("k8s-3")}
spec:
  workload:
    manifests:
      - apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings, namespace: kubectl-ns}
        data: {color: blue}
`,
    );
    const result = await fleet.kubectl(["apply", "-f", file]);
    assert.equal(result.code, 0, result.stderr);
    await applied("k8s-3", "from-kubectl");
    const cm = await fleet.member("k8s-3").client.get(R.configmaps, "kubectl-ns", "settings");
    assert.deepEqual(cm?.data, { color: "blue" });
    const listed = await fleet.kubectl(["get", "works", "-n", executionNamespace("k8s-3"), "from-kubectl"]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /from-kubectl\s+True\s+True/);
  });

  test("no reconcile failed along the way, except retries while a namespace was being deleted", () => {
    assert.deepEqual(
      errors.filter((e) => !(e instanceof RetryLater && /is being terminated/.test(e.message))),
      [],
    );
  });
});
