import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  CLUSTER_PROPAGATION_POLICIES,
  CLUSTER_RESOURCE_BINDINGS,
  PROPAGATION_POLICIES,
  PropagationAnnotations,
  PropagationFinalizers,
  PropagationLabels,
  RESOURCE_BINDINGS,
  type ResourceBinding,
} from "@atoll/api";
import type { KubeObject } from "@atoll/kube";
import { R } from "@atoll/kube";
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const placement = {
  clusterAffinity: { clusterNames: ["k8s-1", "k8s-2"] },
  replicaScheduling: {
    replicaSchedulingType: "Divided" as const,
    replicaDivisionPreference: "Weighted" as const,
  },
};

let t: DetectorFleet;
before(async () => {
  t = await startDetectorFleet();
});
after(async () => {
  await t?.stop();
});

const claimedBy = (object: KubeObject) =>
  object.metadata.annotations?.[PropagationAnnotations.propagationPolicyName];

test("a Deployment and a PropagationPolicy: the template is claimed and its ResourceBinding says exactly what to place", async () => {
  const { fleet } = t;
  await createNamespace(fleet, "shop");
  const policy = await fleet.hub.create(
    PROPAGATION_POLICIES,
    "shop",
    propagationPolicy("shop", "web", {
      resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web" }],
      placement,
      propagateDeps: true,
      failover: { application: { decisionConditions: { tolerationSeconds: 60 } } },
    }),
  );
  await fleet.hub.create(R.deployments, "shop", deployment("shop", "web", { replicas: 3 }));

  const template = await waitForObject(
    fleet,
    R.deployments,
    "shop",
    "web",
    (d) => (d.metadata.finalizers ?? []).includes(PropagationFinalizers.propagation),
    "the Deployment claimed",
  );
  assert.equal(template.metadata.labels?.[PropagationLabels.propagationPolicyId], policy.metadata.uid);
  assert.equal(template.metadata.labels?.app, "web", "the user's labels are kept");
  assert.equal(template.metadata.annotations?.[PropagationAnnotations.propagationPolicyName], "web");
  assert.equal(template.metadata.annotations?.[PropagationAnnotations.propagationPolicyNamespace], "shop");

  const binding = await waitForBinding(
    fleet,
    "shop",
    "web-deployment",
    (b) => b.spec.resource.resourceVersion === template.metadata.resourceVersion,
    "the binding of the claimed template",
  );
  assert.deepEqual(binding.spec.resource, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    namespace: "shop",
    name: "web",
    uid: template.metadata.uid,
    resourceVersion: template.metadata.resourceVersion,
  });
  assert.equal(binding.spec.replicas, 3);
  assert.deepEqual(binding.spec.replicaRequirements, { resourceRequest: { cpu: "350m", memory: "192Mi" } });
  assert.deepEqual(binding.spec.placement, placement);
  assert.equal(binding.spec.conflictResolution, "Abort");
  assert.equal(binding.spec.propagateDeps, true);
  assert.deepEqual(binding.spec.failover, {
    application: { decisionConditions: { tolerationSeconds: 60 }, purgeMode: "Graciously" },
  });
  assert.equal(binding.spec.clusters, undefined, "scheduling is not the detector's");
  assert.equal(binding.metadata.labels?.[PropagationLabels.propagationPolicyId], policy.metadata.uid);
  assert.match(binding.metadata.labels?.[PropagationLabels.resourceBindingId] ?? "", UUID);
  assert.equal(binding.metadata.annotations?.[PropagationAnnotations.propagationPolicyName], "web");
  assert.equal(binding.metadata.annotations?.[PropagationAnnotations.propagationPolicyNamespace], "shop");
  assert.deepEqual(binding.metadata.ownerReferences, [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "web",
      uid: template.metadata.uid,
      controller: true,
      blockOwnerDeletion: false,
    },
  ]);

  // Another stage's writes are kept, the permanent id never changes, and a binding is rewritten only when needed.
  const scheduled = (await fleet.hub.update(RESOURCE_BINDINGS, "shop", {
    ...binding,
    spec: { ...binding.spec, clusters: [{ name: "k8s-1", replicas: 3 }] },
  })) as ResourceBinding;
  await fleet.hub.patch(R.deployments, "shop", "web", "merge", {
    metadata: { annotations: { touched: "1" } },
  });
  const followed = await waitForBinding(
    fleet,
    "shop",
    "web-deployment",
    (b) => b.spec.resource.resourceVersion !== template.metadata.resourceVersion,
    "the binding following the template's new resourceVersion",
  );
  assert.deepEqual(followed.spec.clusters, [{ name: "k8s-1", replicas: 3 }]);
  const id = followed.metadata.labels?.[PropagationLabels.resourceBindingId];
  assert.equal(id, scheduled.metadata.labels?.[PropagationLabels.resourceBindingId]);
  const cachedBinding = () =>
    fleet.context.hubInformers.existing(RESOURCE_BINDINGS)?.get("shop/web-deployment")?.metadata
      .resourceVersion;
  let noted: KubeObject | undefined;
  // The binding event makes the detector look at the template again; it must find nothing to write.
  const reconciled = t.outcomeOnceSeen(
    "apps/v1/Deployment/shop/web",
    () => !!noted && cachedBinding() === noted.metadata.resourceVersion,
  );
  noted = await fleet.hub.patch(RESOURCE_BINDINGS, "shop", "web-deployment", "merge", {
    metadata: { annotations: { note: "a binding event that changes nothing the detector owns" } },
  });
  assert.equal(await reconciled, "claimed");
  const after = await fleet.hub.get(RESOURCE_BINDINGS, "shop", "web-deployment");
  assert.equal(
    after?.metadata.resourceVersion,
    noted.metadata.resourceVersion,
    "no rewrite without a change",
  );
});

test("a cluster-scoped ClusterRole with a ClusterPropagationPolicy gets a ClusterResourceBinding", async () => {
  const { fleet } = t;
  const policy = await fleet.hub.create(
    CLUSTER_PROPAGATION_POLICIES,
    undefined,
    clusterPropagationPolicy("readers", {
      resourceSelectors: [
        { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", name: "reader" },
      ],
      placement: { clusterAffinity: { clusterNames: ["k8s-1"] } },
      conflictResolution: "Overwrite",
    }),
  );
  const role = await fleet.hub.create(R.clusterroles, undefined, {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: "reader" },
    rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }],
  });
  const binding = await waitForObject<ResourceBinding>(
    fleet,
    CLUSTER_RESOURCE_BINDINGS,
    undefined,
    "reader-clusterrole",
    () => true,
    "the ClusterResourceBinding",
  );
  assert.deepEqual(
    { ...binding.spec.resource, resourceVersion: undefined },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      name: "reader",
      uid: role.metadata.uid,
      resourceVersion: undefined,
    },
  );
  assert.equal(binding.spec.replicas, 0);
  assert.equal(binding.spec.replicaRequirements, undefined);
  assert.equal(binding.spec.conflictResolution, "Overwrite");
  assert.deepEqual(binding.spec.placement, { clusterAffinity: { clusterNames: ["k8s-1"] } });
  assert.equal(binding.metadata.labels?.[PropagationLabels.clusterPropagationPolicyId], policy.metadata.uid);
  assert.match(binding.metadata.labels?.[PropagationLabels.clusterResourceBindingId] ?? "", UUID);
  assert.equal(
    binding.metadata.annotations?.[PropagationAnnotations.clusterPropagationPolicyName],
    "readers",
  );
  const claimed = await fleet.hub.get(R.clusterroles, undefined, "reader");
  assert.equal(claimed?.metadata.labels?.[PropagationLabels.clusterPropagationPolicyId], policy.metadata.uid);
  assert.ok(claimed?.metadata.finalizers?.includes(PropagationFinalizers.propagation));
});

const claimOfTemplate = (object: KubeObject | undefined) => {
  const a = object?.metadata.annotations ?? {};
  return (
    a[PropagationAnnotations.propagationPolicyName] ?? a[PropagationAnnotations.clusterPropagationPolicyName]
  );
};

test("a PropagationPolicy beats a ClusterPropagationPolicy of higher priority that names the template", async () => {
  const { fleet } = t;
  await createNamespace(fleet, "pp-vs-cpp");
  await fleet.hub.create(
    CLUSTER_PROPAGATION_POLICIES,
    undefined,
    clusterPropagationPolicy("everywhere", {
      priority: 100,
      resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment", namespace: "pp-vs-cpp", name: "api" }],
    }),
  );
  await fleet.hub.create(
    PROPAGATION_POLICIES,
    "pp-vs-cpp",
    propagationPolicy("pp-vs-cpp", "local", {
      resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment" }],
    }),
  );
  await policySeen(fleet, "pp-vs-cpp", "local");
  await until("the CPP in the cache", () =>
    fleet.context.hubInformers.existing(CLUSTER_PROPAGATION_POLICIES)?.get("everywhere"),
  );
  await fleet.hub.create(R.deployments, "pp-vs-cpp", deployment("pp-vs-cpp", "api"));
  const template = await waitForObject(
    fleet,
    R.deployments,
    "pp-vs-cpp",
    "api",
    (d) => !!claimOfTemplate(d),
    "claimed",
  );
  assert.equal(claimedBy(template), "local");
  assert.equal(
    template.metadata.annotations?.[PropagationAnnotations.clusterPropagationPolicyName],
    undefined,
  );
  assert.equal(template.metadata.labels?.[PropagationLabels.clusterPropagationPolicyId], undefined);
});

test("among PropagationPolicies: priority first, then name > labelSelector > kind, then the first name", async () => {
  const { fleet } = t;
  const ns = "ranking";
  await createNamespace(fleet, ns);
  const kind = { apiVersion: "apps/v1", kind: "Deployment" };
  const policies = [
    propagationPolicy(ns, "b-kind", { resourceSelectors: [kind] }),
    propagationPolicy(ns, "a-kind", { resourceSelectors: [kind] }),
    propagationPolicy(ns, "by-label", {
      resourceSelectors: [{ ...kind, labelSelector: { matchLabels: { tier: "front" } } }],
    }),
    propagationPolicy(ns, "by-name", { resourceSelectors: [{ ...kind, name: "named" }] }),
    propagationPolicy(ns, "urgent", {
      priority: 5,
      resourceSelectors: [
        { ...kind, name: "urgent" },
        { ...kind, name: "x" },
      ],
    }),
    propagationPolicy(ns, "urgent-kind", {
      priority: 5,
      resourceSelectors: [{ ...kind, labelSelector: { matchLabels: { urgent: "yes" } } }],
    }),
  ];
  for (const p of policies) await fleet.hub.create(PROPAGATION_POLICIES, ns, p);
  for (const p of policies) await policySeen(fleet, ns, p.metadata.name ?? "");
  const expected: Array<[string, Record<string, string>, string]> = [
    ["plain", {}, "a-kind"],
    ["labelled", { tier: "front" }, "by-label"],
    ["named", { tier: "front" }, "by-name"],
    ["urgent", { urgent: "yes", tier: "front" }, "urgent"],
    ["urgent-too", { urgent: "yes" }, "urgent-kind"],
  ];
  for (const [name, labels] of expected)
    await fleet.hub.create(R.deployments, ns, deployment(ns, name, { labels }));
  for (const [name, , policy] of expected) {
    const template = await waitForObject(
      fleet,
      R.deployments,
      ns,
      name,
      (d) => !!claimOfTemplate(d),
      `${name} claimed`,
    );
    assert.equal(claimedBy(template), policy, `${name} is claimed by ${policy}`);
  }
});

test("a claimed template keeps its policy against preemption Never, and goes to a higher priority with Always", async () => {
  const { fleet } = t;
  const ns = "preempt";
  await createNamespace(fleet, ns);
  const kind = { apiVersion: "apps/v1", kind: "Deployment" };
  const low = await fleet.hub.create(
    PROPAGATION_POLICIES,
    ns,
    propagationPolicy(ns, "low", { priority: 1, resourceSelectors: [kind] }),
  );
  await policySeen(fleet, ns, "low");
  await fleet.hub.create(R.deployments, ns, deployment(ns, "app"));
  const first = await waitForBinding(
    fleet,
    ns,
    "app-deployment",
    (b) => claimedBy(b) === "low",
    "claimed by low",
  );
  const bindingId = first.metadata.labels?.[PropagationLabels.resourceBindingId];

  await fleet.hub.create(
    PROPAGATION_POLICIES,
    ns,
    propagationPolicy(ns, "polite", {
      priority: 9,
      preemption: "Never",
      resourceSelectors: [{ ...kind, name: "app" }],
    }),
  );
  await policySeen(fleet, ns, "polite");
  // A template change after the policy is cached: the reconcile that follows it sees the polite policy.
  const touched = await fleet.hub.patch(R.deployments, ns, "app", "merge", {
    metadata: { annotations: { n: "1" } },
  });
  await waitForBinding(
    fleet,
    ns,
    "app-deployment",
    (b) => b.spec.resource.resourceVersion === touched.metadata.resourceVersion,
    "binding follows",
  );
  assert.equal(claimedBy((await fleet.hub.get(R.deployments, ns, "app")) as KubeObject), "low");

  const strong = await fleet.hub.create(
    PROPAGATION_POLICIES,
    ns,
    propagationPolicy(ns, "strong", {
      priority: 5,
      preemption: "Always",
      resourceSelectors: [kind],
      propagateDeps: true,
    }),
  );
  const taken = await waitForBinding(
    fleet,
    ns,
    "app-deployment",
    (b) => claimedBy(b) === "strong",
    "preempted by strong",
  );
  assert.equal(taken.metadata.labels?.[PropagationLabels.propagationPolicyId], strong.metadata.uid);
  assert.notEqual(low.metadata.uid, strong.metadata.uid);
  assert.equal(
    taken.metadata.labels?.[PropagationLabels.resourceBindingId],
    bindingId,
    "same binding, same id",
  );
  assert.equal(taken.spec.propagateDeps, true, "the new policy's settings");
  const template = await fleet.hub.get(R.deployments, ns, "app");
  assert.equal(claimedBy(template as KubeObject), "strong");
  assert.equal(template?.metadata.labels?.[PropagationLabels.propagationPolicyId], strong.metadata.uid);
});

test("a label selector claims only the templates it matches; a label added later brings a template in", async () => {
  const { fleet } = t;
  const ns = "labels";
  await createNamespace(fleet, ns);
  await fleet.hub.create(
    PROPAGATION_POLICIES,
    ns,
    propagationPolicy(ns, "front", {
      resourceSelectors: [
        { apiVersion: "apps/v1", kind: "Deployment", labelSelector: { matchLabels: { tier: "front" } } },
      ],
    }),
  );
  await policySeen(fleet, ns, "front");
  await fleet.hub.create(R.deployments, ns, deployment(ns, "ui", { labels: { tier: "front" } }));
  await fleet.hub.create(R.deployments, ns, deployment(ns, "db", { labels: { tier: "back" } }));
  await waitForBinding(fleet, ns, "ui-deployment", () => true, "the front template's binding");
  await t.outcome(`apps/v1/Deployment/${ns}/db`, "unmatched");
  const db = await fleet.hub.get(R.deployments, ns, "db");
  assert.equal(claimOfTemplate(db), undefined);
  assert.deepEqual(db?.metadata.finalizers ?? [], []);
  assert.equal(await fleet.hub.get(RESOURCE_BINDINGS, ns, "db-deployment"), undefined);

  await fleet.hub.patch(R.deployments, ns, "db", "merge", { metadata: { labels: { tier: "front" } } });
  await waitForBinding(fleet, ns, "db-deployment", () => true, "the relabelled template's binding");
});

test("objects in kube-system, Atoll's own kinds and every namespace's defaults are never claimed", async () => {
  const { fleet } = t;
  await createNamespace(fleet, "kube-system").catch(() => undefined);
  await createNamespace(fleet, "defaults");
  await fleet.hub.create(R.configmaps, "kube-system", { metadata: { name: "coredns" }, data: {} });
  await fleet.hub.create(R.configmaps, "defaults", { metadata: { name: "kube-root-ca.crt" }, data: {} });
  await fleet.hub.create(R.configmaps, "defaults", { metadata: { name: "settings" }, data: {} });
  const policy = await fleet.hub.create(
    CLUSTER_PROPAGATION_POLICIES,
    undefined,
    clusterPropagationPolicy("all-config", {
      resourceSelectors: [
        { apiVersion: "v1", kind: "ConfigMap" },
        { apiVersion: "policy.atoll.io/v1alpha1", kind: "PropagationPolicy" },
      ],
    }),
  );
  await waitForObject(
    fleet,
    R.configmaps,
    "defaults",
    "settings",
    (c) => !!claimOfTemplate(c),
    "settings claimed",
  );
  await t.outcome("/v1/ConfigMap/kube-system/coredns", "ignored");
  await t.outcome("/v1/ConfigMap/defaults/kube-root-ca.crt", "ignored");
  for (const [namespace, name] of [
    ["kube-system", "coredns"],
    ["defaults", "kube-root-ca.crt"],
  ]) {
    const object = await fleet.hub.get(R.configmaps, namespace, name);
    assert.equal(claimOfTemplate(object), undefined, `${namespace}/${name} is not claimed`);
    assert.equal(await fleet.hub.get(RESOURCE_BINDINGS, namespace, `${name}-configmap`), undefined);
  }
  const reserved = await until("a ReservedKind event on the policy", async () => {
    const events = await fleet.hub.list(R.events, { namespace: "default" });
    return events.items.find(
      (e) =>
        (e.involvedObject as { uid?: string })?.uid === policy.metadata.uid && e.reason === "ReservedKind",
    );
  });
  assert.equal(reserved.type, "Warning");
  assert.match(
    String(reserved.message),
    /PropagationPolicy \(policy\.atoll\.io\/v1alpha1\) is one of Atoll's own kinds/,
  );
});

test("a custom kind whose CRD comes after the policy: an Event says so, and its templates are claimed once served", async () => {
  const { fleet } = t;
  const ns = "widgets";
  await createNamespace(fleet, ns);
  const policy = await fleet.hub.create(
    PROPAGATION_POLICIES,
    ns,
    propagationPolicy(ns, "widgets", {
      resourceSelectors: [{ apiVersion: "example.com/v1", kind: "Widget" }],
    }),
  );
  const unknown = await until("an UnknownKind event on the policy", async () => {
    const events = await fleet.hub.list(R.events, { namespace: ns });
    return events.items.find(
      (e) =>
        (e.involvedObject as { uid?: string })?.uid === policy.metadata.uid && e.reason === "UnknownKind",
    );
  });
  assert.equal(unknown.type, "Warning");
  assert.match(String(unknown.message), /the hub does not serve Widget \(example\.com\/v1\)/);

  await fleet.hub.create(R.customresourcedefinitions, undefined, {
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
          schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
        },
      ],
    },
  });
  const widgets = {
    group: "example.com",
    version: "v1",
    resource: "widgets",
    kind: "Widget",
    namespaced: true,
  };
  const widget = await until("the Widget created", () =>
    fleet.hub
      .create(widgets, ns, {
        apiVersion: "example.com/v1",
        kind: "Widget",
        metadata: { name: "w1" },
        spec: { size: 3 },
      })
      .catch(() => undefined),
  );
  const binding = await waitForBinding(fleet, ns, "w1-widget", () => true, "the Widget's binding");
  assert.equal(binding.spec.resource.kind, "Widget");
  assert.equal(binding.spec.resource.apiVersion, "example.com/v1");
  assert.equal(binding.spec.resource.uid, widget.metadata.uid);
  assert.equal(binding.spec.replicas, 0);
  const claimed = await fleet.hub.get(widgets, ns, "w1");
  assert.equal(claimed?.metadata.labels?.[PropagationLabels.propagationPolicyId], policy.metadata.uid);
});
