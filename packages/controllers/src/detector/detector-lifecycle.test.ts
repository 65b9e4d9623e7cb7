import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  CLUSTER_PROPAGATION_POLICIES,
  executionNamespace,
  PROPAGATION_POLICIES,
  PropagationAnnotations,
  PropagationFinalizers,
  PropagationLabels,
  RESOURCE_BINDINGS,
  WORKS,
} from "@atoll/api";
import type { KubeObject } from "@atoll/kube";
import { R, StatusError } from "@atoll/kube";
import { until } from "../testing/fleet.fixture.ts";
import {
  clusterPropagationPolicy,
  createNamespace,
  type DetectorFleet,
  deployment,
  policySeen,
  propagationPolicy,
  startDetectorFleet,
  waitForBinding,
  waitForObject,
} from "./detector.fixture.ts";

let t: DetectorFleet;
before(async () => {
  t = await startDetectorFleet();
});
after(async () => {
  await t?.stop();
});

const everyDeployment = { resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment" }] };

test("kubectl scale at the hub: the binding's replicas and resourceVersion follow the template", async () => {
  const { fleet } = t;
  const ns = "scale";
  await createNamespace(fleet, ns);
  await fleet.hub.create(PROPAGATION_POLICIES, ns, propagationPolicy(ns, "all", everyDeployment));
  await policySeen(fleet, ns, "all");
  await fleet.hub.create(R.deployments, ns, deployment(ns, "web", { replicas: 2 }));
  await waitForBinding(fleet, ns, "web-deployment", (b) => b.spec.replicas === 2, "2 replicas");

  const scaled = await fleet.kubectl(["scale", "deployment/web", "-n", ns, "--replicas=5"]);
  assert.equal(scaled.code, 0, scaled.stderr);
  const template = await fleet.hub.get(R.deployments, ns, "web");
  const binding = await waitForBinding(
    fleet,
    ns,
    "web-deployment",
    (b) => b.spec.replicas === 5,
    "5 replicas",
  );
  assert.equal(binding.spec.resource.resourceVersion, template?.metadata.resourceVersion);

  const unset = await fleet.kubectl([
    "patch",
    "deployment/web",
    "-n",
    ns,
    "--type=json",
    "-p",
    '[{"op":"remove","path":"/spec/replicas"}]',
  ]);
  assert.equal(unset.code, 0, unset.stderr);
  // The API server defaults spec.replicas back to 1, and so does the detector when it reads none.
  await waitForBinding(fleet, ns, "web-deployment", (b) => b.spec.replicas === 1, "1 replica");
});

test("a deleted policy releases its templates but keeps their bindings; a new policy claims them again", async () => {
  const { fleet } = t;
  const ns = "release";
  await createNamespace(fleet, ns);
  const policy = await fleet.hub.create(
    PROPAGATION_POLICIES,
    ns,
    propagationPolicy(ns, "first", {
      ...everyDeployment,
      placement: { clusterAffinity: { clusterNames: ["k8s-1"] } },
    }),
  );
  await policySeen(fleet, ns, "first");
  await fleet.hub.create(R.deployments, ns, deployment(ns, "api", { labels: { keep: "me" } }));
  const claimed = await waitForBinding(fleet, ns, "api-deployment", () => true, "the binding");
  const bindingId = claimed.metadata.labels?.[PropagationLabels.resourceBindingId];
  assert.ok(bindingId);
  assert.equal(claimed.metadata.labels?.[PropagationLabels.propagationPolicyId], policy.metadata.uid);

  await fleet.hub.delete(PROPAGATION_POLICIES, ns, "first");
  const template = await waitForObject(
    fleet,
    R.deployments,
    ns,
    "api",
    (d) => !(d.metadata.finalizers ?? []).includes(PropagationFinalizers.propagation),
    "the template released",
  );
  assert.equal(template.metadata.labels?.[PropagationLabels.propagationPolicyId], undefined);
  assert.equal(template.metadata.labels?.keep, "me");
  assert.equal(template.metadata.annotations?.[PropagationAnnotations.propagationPolicyName], undefined);
  assert.equal(template.metadata.annotations?.[PropagationAnnotations.propagationPolicyNamespace], undefined);
  const kept = await waitForBinding(
    fleet,
    ns,
    "api-deployment",
    (b) => b.metadata.labels?.[PropagationLabels.propagationPolicyId] === undefined,
    "the binding without the policy's marks",
  );
  assert.equal(kept.metadata.labels?.[PropagationLabels.resourceBindingId], bindingId);
  assert.equal(kept.metadata.annotations?.[PropagationAnnotations.propagationPolicyName], undefined);
  assert.deepEqual(
    kept.spec.placement,
    { clusterAffinity: { clusterNames: ["k8s-1"] } },
    "the binding (and so its Works) stays",
  );
  assert.equal(kept.metadata.deletionTimestamp, undefined);

  const second = await fleet.hub.create(
    PROPAGATION_POLICIES,
    ns,
    propagationPolicy(ns, "second", everyDeployment),
  );
  const reclaimed = await waitForBinding(
    fleet,
    ns,
    "api-deployment",
    (b) => b.metadata.labels?.[PropagationLabels.propagationPolicyId] === second.metadata.uid,
    "the binding claimed by the second policy",
  );
  assert.equal(
    reclaimed.metadata.labels?.[PropagationLabels.resourceBindingId],
    bindingId,
    "same permanent id",
  );
  assert.equal(reclaimed.spec.placement, undefined, "the second policy's placement");
});

test("a deleted template: its binding goes, and the template only once no Work carries the binding's id", async () => {
  const { fleet } = t;
  const ns = "delete";
  const key = `apps/v1/Deployment/${ns}/web`;
  await createNamespace(fleet, ns);
  await createNamespace(fleet, executionNamespace("k8s-9"));
  await fleet.hub.create(PROPAGATION_POLICIES, ns, propagationPolicy(ns, "all", everyDeployment));
  await policySeen(fleet, ns, "all");
  await fleet.hub.create(R.deployments, ns, deployment(ns, "web"));
  const binding = await waitForBinding(fleet, ns, "web-deployment", () => true, "the binding");
  const bindingId = binding.metadata.labels?.[PropagationLabels.resourceBindingId] ?? "";
  // What the binding stage would have written: a Work in a member's execution namespace carrying the binding's id.
  await fleet.hub.create(WORKS, executionNamespace("k8s-9"), {
    apiVersion: "work.atoll.io/v1alpha1",
    kind: "Work",
    metadata: { name: "web-by-hand", labels: { [PropagationLabels.resourceBindingId]: bindingId } },
    spec: { workload: { manifests: [] } },
  });

  await fleet.hub.delete(R.deployments, ns, "web");
  await until(
    "the binding deleted",
    async () => !(await fleet.hub.get(RESOURCE_BINDINGS, ns, "web-deployment")),
  );
  // Once the binding is gone the detector looks again (poked by a template change): the Work still holds it.
  const poked = t.outcomeOnceSeen(
    key,
    () =>
      fleet.context.hubInformers.existing(R.deployments)?.get(`${ns}/web`)?.metadata.annotations?.poke ===
      "1",
  );
  await fleet.hub.patch(R.deployments, ns, "web", "merge", { metadata: { annotations: { poke: "1" } } });
  assert.equal(await poked, "waiting");
  const waiting = await fleet.hub.get(R.deployments, ns, "web");
  assert.ok(waiting?.metadata.deletionTimestamp, "the template is being deleted");
  assert.deepEqual(
    waiting?.metadata.finalizers,
    [PropagationFinalizers.propagation],
    "held while a Work remains",
  );

  await fleet.hub.delete(WORKS, executionNamespace("k8s-9"), "web-by-hand");
  // The Work's deletion event, not a timed re-check (30 s in these tests), lets the template go.
  await until("the template gone", async () => !(await fleet.hub.get(R.deployments, ns, "web")));
  await t.outcome(key, "finalized");
  assert.equal(await fleet.hub.get(RESOURCE_BINDINGS, ns, "web-deployment"), undefined, "not re-created");
});

test("a binding deleted by hand is re-created for a template still claimed", async () => {
  const { fleet } = t;
  const ns = "recreate";
  await createNamespace(fleet, ns);
  await fleet.hub.create(PROPAGATION_POLICIES, ns, propagationPolicy(ns, "all", everyDeployment));
  await policySeen(fleet, ns, "all");
  await fleet.hub.create(R.deployments, ns, deployment(ns, "web", { replicas: 4 }));
  const first = await waitForBinding(fleet, ns, "web-deployment", () => true, "the binding");
  await fleet.hub.delete(RESOURCE_BINDINGS, ns, "web-deployment");
  const again = await waitForBinding(
    fleet,
    ns,
    "web-deployment",
    (b) => b.metadata.uid !== first.metadata.uid,
    "a new binding",
  );
  assert.equal(again.spec.replicas, 4);
});

test("a policy's changes reach its bindings; a selector that stops matching hands the template on", async () => {
  const { fleet } = t;
  const ns = "edits";
  await createNamespace(fleet, ns);
  await fleet.hub.create(
    CLUSTER_PROPAGATION_POLICIES,
    undefined,
    clusterPropagationPolicy("edits-fallback", {
      resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment", namespace: ns }],
      placement: { clusterAffinity: { clusterNames: ["k8s-3"] } },
    }),
  );
  await fleet.hub.create(
    PROPAGATION_POLICIES,
    ns,
    propagationPolicy(ns, "named", {
      resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment", name: "a" }],
      placement: { clusterAffinity: { clusterNames: ["k8s-1"] } },
    }),
  );
  await policySeen(fleet, ns, "named");
  await fleet.hub.create(R.deployments, ns, deployment(ns, "a"));
  await waitForBinding(
    fleet,
    ns,
    "a-deployment",
    (b) => claimedBy(b) === "named",
    "a claimed by the named policy",
  );

  await fleet.hub.patch(PROPAGATION_POLICIES, ns, "named", "merge", {
    spec: { placement: { clusterAffinity: { clusterNames: ["k8s-2"] } }, preserveResourcesOnDeletion: true },
  });
  const edited = await waitForBinding(
    fleet,
    ns,
    "a-deployment",
    (b) => b.spec.preserveResourcesOnDeletion === true,
    "the binding with the edited settings",
  );
  assert.deepEqual(edited.spec.placement, { clusterAffinity: { clusterNames: ["k8s-2"] } });

  await fleet.hub.patch(PROPAGATION_POLICIES, ns, "named", "merge", {
    spec: { resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment", name: "b" }] },
  });
  const handedOn = await waitForBinding(
    fleet,
    ns,
    "a-deployment",
    (b) => b.metadata.annotations?.[PropagationAnnotations.clusterPropagationPolicyName] === "edits-fallback",
    "a claimed by the ClusterPropagationPolicy",
  );
  assert.equal(claimedBy(handedOn), undefined);
  assert.equal(handedOn.metadata.labels?.[PropagationLabels.propagationPolicyId], undefined);
  assert.deepEqual(handedOn.spec.placement, { clusterAffinity: { clusterNames: ["k8s-3"] } });
  assert.equal(handedOn.spec.preserveResourcesOnDeletion, undefined);
  const template = await fleet.hub.get(R.deployments, ns, "a");
  assert.equal(
    template?.metadata.annotations?.[PropagationAnnotations.clusterPropagationPolicyName],
    "edits-fallback",
  );
  assert.equal(template?.metadata.annotations?.[PropagationAnnotations.propagationPolicyName], undefined);
});

function claimedBy(object: KubeObject): string | undefined {
  return object.metadata.annotations?.[PropagationAnnotations.propagationPolicyName];
}

test("a template changing while it is claimed: stale writes are retried, and the binding ends at the last version", async () => {
  const { fleet } = t;
  const ns = "churn";
  await createNamespace(fleet, ns);
  await fleet.hub.create(R.deployments, ns, deployment(ns, "busy", { replicas: 1 }));
  await fleet.hub.create(PROPAGATION_POLICIES, ns, propagationPolicy(ns, "all", everyDeployment));
  // Twenty writes race the detector's claim (a merge patch with the resourceVersion it read).
  for (let i = 2; i <= 21; i++) {
    await fleet.hub.patch(R.deployments, ns, "busy", "merge", { spec: { replicas: i } });
  }
  const template = await waitForObject(
    fleet,
    R.deployments,
    ns,
    "busy",
    (d) => (d.metadata.finalizers ?? []).includes(PropagationFinalizers.propagation),
    "claimed",
  );
  assert.equal(template.metadata.labels?.app, "busy");
  const binding = await waitForBinding(
    fleet,
    ns,
    "busy-deployment",
    (b) => b.spec.replicas === 21,
    "the binding at the last replicas",
  );
  const last = await fleet.hub.get(R.deployments, ns, "busy");
  assert.equal(binding.spec.resource.resourceVersion, last?.metadata.resourceVersion);
});

test("every failure the detector reported in this file was a write conflict it retried", () => {
  const conflicts = t.errors.filter((error) => {
    for (let e: unknown = error; e instanceof Error; e = e.cause) {
      if (e instanceof StatusError && e.reason === "Conflict") return true;
    }
    return false;
  });
  assert.deepEqual(
    t.errors.filter((e) => !conflicts.includes(e)).map((e) => String(e)),
    [],
  );
  for (const conflict of conflicts)
    assert.match(String(conflict), /^Error: failed to (claim|release|write) /);
});
