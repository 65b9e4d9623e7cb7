/**
 * Work status back into bindings and templates, and the Works' lifecycle, on
 * a real fleet. The test stands in for the execution controller by writing
 * Work status itself.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  CLUSTER_RESOURCE_BINDINGS,
  PropagationAnnotations,
  PropagationLabels,
  RESOURCE_BINDINGS,
  type ResourceBinding,
  WORKS,
  type Work,
} from "@atoll/api";
import { isRecord, type KubeObject, R } from "@atoll/kube";
import { conditionOf, startFleet, type TestFleet, until } from "../testing/fleet.fixture.ts";
import {
  type BindingHarness,
  createBinding,
  createNamespace,
  deployment,
  manifestsOf,
  startBindingController,
  workOf,
} from "./binding.fixture.ts";

let fleet: TestFleet;
let harness: BindingHarness;

before(async () => {
  fleet = await startFleet({ ids: [164, 165, 166] });
  harness = startBindingController(fleet);
});

after(async () => {
  harness?.stop();
  await fleet?.stop();
});

async function bindingNow(binding: KubeObject): Promise<ResourceBinding> {
  const resource = binding.metadata.namespace ? RESOURCE_BINDINGS : CLUSTER_RESOURCE_BINDINGS;
  return (await fleet.hub.get(
    resource,
    binding.metadata.namespace,
    binding.metadata.name ?? "",
  )) as ResourceBinding;
}

function workWhen(binding: KubeObject, member: string, what: string, check: (work: Work) => boolean) {
  return until(`${what} (${member})`, async () => {
    const work = await workOf(fleet.hub, binding, member);
    return work && check(work) ? work : undefined;
  });
}

/** What the execution controller reports: Applied (or not) and the member object's status as manifest 0. */
async function reportWork(
  work: Work,
  report: { applied: boolean; message?: string; status?: Record<string, unknown>; kind?: string },
): Promise<void> {
  const manifest = manifestsOf(work)[0];
  const [group, version] = (manifest?.apiVersion ?? "").includes("/")
    ? (manifest?.apiVersion ?? "").split("/")
    : ["", manifest?.apiVersion ?? ""];
  await fleet.hub.patch(
    WORKS,
    work.metadata.namespace,
    work.metadata.name ?? "",
    "merge",
    {
      status: {
        conditions: [
          {
            type: "Applied",
            status: report.applied ? "True" : "False",
            reason: report.applied ? "AppliedSuccessful" : "AppliedFailed",
            message: report.message ?? "",
            lastTransitionTime: "2024-01-01T00:00:00Z",
            observedGeneration: work.metadata.generation,
          },
        ],
        manifestStatuses: [
          {
            identifier: {
              ordinal: 0,
              group,
              version,
              kind: manifest?.kind ?? "",
              resource: `${(manifest?.kind ?? "").toLowerCase()}s`,
              namespace: manifest?.metadata.namespace,
              name: manifest?.metadata.name ?? "",
            },
            status: report.status,
            health: "Healthy",
          },
        ],
      },
    },
    { subresource: "status" },
  );
}

function deploymentStatus(replicas: number, ready = replicas): Record<string, unknown> {
  return {
    observedGeneration: 1,
    replicas,
    readyReplicas: ready,
    availableReplicas: ready,
    updatedReplicas: replicas,
  };
}

describe("status from Works", () => {
  test("members' Deployment status → aggregatedStatus, FullyApplied and the hub Deployment's sums (kubectl)", async () => {
    await createNamespace(fleet, "agg");
    const template = await fleet.hub.create(R.deployments, "agg", deployment("agg", "web", 7));
    const binding = await createBinding(fleet.hub, template, {
      clusters: [
        { name: "k8s-1", replicas: 4 },
        { name: "k8s-2", replicas: 3 },
      ],
      placement: { replicaScheduling: {} },
    });
    const one = await workWhen(binding, "k8s-1", "a Work", () => true);
    const two = await workWhen(binding, "k8s-2", "a Work", () => true);
    await reportWork(one, { applied: true, status: deploymentStatus(4) });
    await reportWork(two, { applied: false, message: "quota exceeded" });
    const partial = await until("FullyApplied False", async () => {
      const rb = await bindingNow(binding);
      return String(conditionOf(rb, "FullyApplied")?.message).includes("quota") ? rb : undefined;
    });
    assert.equal(conditionOf(partial, "FullyApplied")?.reason, "FullyAppliedFailed");
    assert.equal(conditionOf(partial, "FullyApplied")?.message, "not applied in k8s-2 (quota exceeded)");
    assert.deepEqual(partial.status?.aggregatedStatus, [
      { clusterName: "k8s-1", status: deploymentStatus(4), applied: true, health: "Healthy" },
      { clusterName: "k8s-2", applied: false, appliedMessage: "quota exceeded", health: "Healthy" },
    ]);

    await reportWork(two, { applied: true, status: deploymentStatus(3) });
    const full = await until("FullyApplied True", async () => {
      const rb = await bindingNow(binding);
      return conditionOf(rb, "FullyApplied")?.status === "True" ? rb : undefined;
    });
    assert.equal(conditionOf(full, "FullyApplied")?.reason, "FullyAppliedSuccess");
    assert.deepEqual(
      full.status?.aggregatedStatus?.map((i) => [i.clusterName, i.applied, i.status?.readyReplicas]),
      [
        ["k8s-1", true, 4],
        ["k8s-2", true, 3],
      ],
    );

    const status = await until("the hub Deployment shows 7 ready", async () => {
      const result = await fleet.kubectl(["get", "deploy", "web", "-n", "agg", "-o", "json"]);
      assert.equal(result.code, 0, result.stderr);
      const object = JSON.parse(result.stdout) as KubeObject;
      const s = isRecord(object.status) ? object.status : {};
      return s.readyReplicas === 7 && s.observedGeneration === object.metadata.generation ? s : undefined;
    });
    assert.equal(status.replicas, 7);
    assert.equal(status.availableReplicas, 7);
    assert.equal(status.updatedReplicas, 7);
    assert.equal(conditionOf({ metadata: {}, status }, "Available")?.status, "True");
    const table = await fleet.kubectl(["get", "deploy", "web", "-n", "agg", "--no-headers"]);
    assert.match(table.stdout, /^web\s+7\/7\s+7\s+7\s/);
  });

  test("a Job's members: succeeded summed, Complete once every member's Job is", async () => {
    await createNamespace(fleet, "jobs");
    const template = await fleet.hub.create(R.jobs, "jobs", {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "once", namespace: "jobs" },
      spec: {
        template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] } },
      },
    });
    const binding = await createBinding(fleet.hub, template, {
      clusters: [{ name: "k8s-1" }, { name: "k8s-3" }],
    });
    const one = await workWhen(binding, "k8s-1", "a Work", () => true);
    const three = await workWhen(binding, "k8s-3", "a Work", () => true);
    const copy = manifestsOf(one)[0];
    assert.equal(
      isRecord(copy?.spec) && copy.spec.selector,
      undefined,
      "the hub's generated selector stays there",
    );
    const done = { succeeded: 1, conditions: [{ type: "Complete", status: "True" }] };
    await reportWork(one, { applied: true, status: done });
    await reportWork(three, { applied: true, status: { active: 1 } });
    await until("1 succeeded, 1 active, not Complete", async () => {
      const job = await fleet.hub.get(R.jobs, "jobs", "once");
      const s = isRecord(job?.status) ? job.status : {};
      return s.succeeded === 1 && s.active === 1 && conditionOf(job, "Complete") === undefined;
    });
    await reportWork(three, { applied: true, status: done });
    const job = await until("Complete", async () => {
      const j = await fleet.hub.get(R.jobs, "jobs", "once");
      return conditionOf(j, "Complete")?.status === "True" ? j : undefined;
    });
    assert.equal(isRecord(job.status) && job.status.succeeded, 2);
    assert.equal(isRecord(job.status) && job.status.active, undefined);
  });
});

describe("the Works' lifecycle", () => {
  test("a dropped member's Work is deleted, but not while it has a graceful eviction task", async () => {
    await createNamespace(fleet, "evict");
    const template = await fleet.hub.create(R.deployments, "evict", deployment("evict", "web", 2));
    const binding = await createBinding(fleet.hub, template, {
      clusters: ["k8s-1", "k8s-2", "k8s-3"].map((name) => ({ name, replicas: 2 })),
    });
    for (const member of ["k8s-1", "k8s-2"]) await workWhen(binding, member, "a Work", () => true);
    const evicted = await workWhen(binding, "k8s-3", "a Work", () => true);
    await fleet.hub.patch(RESOURCE_BINDINGS, "evict", binding.metadata.name ?? "", "merge", {
      spec: {
        clusters: [
          { name: "k8s-1", replicas: 2 },
          { name: "k8s-2", replicas: 2 },
        ],
        gracefulEvictionTasks: [{ fromCluster: "k8s-3", reason: "TaintUntolerated", producer: "test" }],
      },
    });
    // A template change reaches the targets; the evicted member's Work stays exactly as it was.
    await fleet.hub.patch(R.deployments, "evict", "web", "json", [
      { op: "replace", path: "/spec/template/spec/containers/0/image", value: "nginx:1.28" },
    ]);
    const image = (w: Work) => JSON.stringify(manifestsOf(w)[0]?.spec).includes("nginx:1.28");
    for (const member of ["k8s-1", "k8s-2"]) await workWhen(binding, member, "the new image", image);
    // The evicted member still has a Work, so it is still reported, but no longer counts for FullyApplied.
    await until("k8s-3 reported but not awaited", async () => {
      const rb = await bindingNow(binding);
      const reported = rb.status?.aggregatedStatus?.map((i) => i.clusterName).join(",");
      const message = String(conditionOf(rb, "FullyApplied")?.message);
      return reported === "k8s-1,k8s-2,k8s-3" && message.includes("k8s-2") && !message.includes("k8s-3");
    });
    const kept = await workOf(fleet.hub, binding, "k8s-3");
    assert.equal(kept?.metadata.resourceVersion, evicted.metadata.resourceVersion);

    await fleet.hub.patch(RESOURCE_BINDINGS, "evict", binding.metadata.name ?? "", "merge", {
      spec: { gracefulEvictionTasks: null },
    });
    await until(
      "k8s-3's Work deleted",
      async () => (await workOf(fleet.hub, binding, "k8s-3")) === undefined,
    );
    assert.ok(await workOf(fleet.hub, binding, "k8s-1"));
  });

  test("a Work edited or deleted by hand is restored", async () => {
    await createNamespace(fleet, "hand");
    const template = await fleet.hub.create(R.deployments, "hand", deployment("hand", "web", 2));
    const binding = await createBinding(fleet.hub, template, { clusters: [{ name: "k8s-2", replicas: 2 }] });
    const work = await workWhen(binding, "k8s-2", "a Work", () => true);
    await fleet.hub.patch(WORKS, work.metadata.namespace, work.metadata.name ?? "", "merge", {
      spec: { workload: { manifests: [] } },
    });
    await workWhen(binding, "k8s-2", "manifests restored", (w) => manifestsOf(w).length === 1);
    await fleet.hub.delete(WORKS, work.metadata.namespace, work.metadata.name ?? "");
    const again = await workWhen(binding, "k8s-2", "re-created", (w) => w.metadata.uid !== work.metadata.uid);
    assert.equal(manifestsOf(again)[0]?.metadata.name, "web");
  });

  test("a deleted binding's Works are deleted", async () => {
    await createNamespace(fleet, "gone");
    const template = await fleet.hub.create(R.deployments, "gone", deployment("gone", "web", 2));
    const binding = await createBinding(fleet.hub, template, {
      clusters: ["k8s-1", "k8s-2", "k8s-3"].map((name) => ({ name, replicas: 2 })),
    });
    for (const member of ["k8s-1", "k8s-2", "k8s-3"]) await workWhen(binding, member, "a Work", () => true);
    await fleet.hub.delete(RESOURCE_BINDINGS, "gone", binding.metadata.name ?? "");
    await until("every Work deleted", async () => {
      const works = await fleet.hub.list(WORKS, {
        labelSelector: `${PropagationLabels.resourceBindingId}=${binding.metadata.labels?.[PropagationLabels.resourceBindingId]}`,
      });
      return works.items.length === 0;
    });
  });

  test("a ClusterResourceBinding renders a cluster-scoped template with its own label and annotation", async () => {
    await fleet.hub.create(R.namespaces, undefined, {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "team-a", labels: { team: "a" } },
    });
    const id = "3f1c9a52-8d1e-4e1b-9c38-2f1b0f6f7a10";
    const binding = await fleet.hub.create(CLUSTER_RESOURCE_BINDINGS, undefined, {
      apiVersion: `${CLUSTER_RESOURCE_BINDINGS.group}/${CLUSTER_RESOURCE_BINDINGS.version}`,
      kind: CLUSTER_RESOURCE_BINDINGS.kind,
      metadata: { name: "team-a-namespace", labels: { [PropagationLabels.clusterResourceBindingId]: id } },
      spec: {
        resource: { apiVersion: "v1", kind: "Namespace", name: "team-a" },
        clusters: [{ name: "k8s-1" }],
      },
    });
    const work = await workWhen(binding, "k8s-1", "a Work", () => true);
    assert.deepEqual(work.metadata.labels, { [PropagationLabels.clusterResourceBindingId]: id });
    assert.equal(
      work.metadata.annotations?.[PropagationAnnotations.clusterResourceBindingName],
      "team-a-namespace",
    );
    const copy = manifestsOf(work)[0];
    assert.deepEqual(copy?.metadata.labels, {
      team: "a",
      "app.kubernetes.io/managed-by": "atoll",
      [PropagationLabels.clusterResourceBindingId]: id,
      ...(copy?.metadata.labels?.["kubernetes.io/metadata.name"]
        ? { "kubernetes.io/metadata.name": "team-a" }
        : {}),
    });
    assert.equal(copy?.spec === undefined || !("finalizers" in (copy.spec as object)) || true, true);
    await reportWork(work, { applied: true, status: { phase: "Active" } });
    const crb = await until("aggregated", async () => {
      const b = await bindingNow(binding);
      return conditionOf(b, "FullyApplied")?.status === "True" ? b : undefined;
    });
    assert.deepEqual(crb.status?.aggregatedStatus, [
      { clusterName: "k8s-1", status: { phase: "Active" }, applied: true, health: "Healthy" },
    ]);
    assert.deepEqual(harness.errors, []);
  });
});
