/**
 * Rendering on a real fleet: templates and bindings are written straight to
 * the hub (spec.clusters set, as the scheduler would), and the Works the
 * controller writes are read back from the hub.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  AtollLabels,
  CLUSTER_OVERRIDE_POLICIES,
  MEMBER_CLUSTERS,
  OVERRIDE_POLICIES,
  PropagationAnnotations,
  PropagationLabels,
  RESOURCE_BINDINGS,
  type ResourceBinding,
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
import { RETAIN_REPLICAS_LABEL } from "./replicas.ts";

let fleet: TestFleet;
let harness: BindingHarness;

before(async () => {
  fleet = await startFleet({
    ids: [161, 162, 163],
    memberSpec: (i) => ({ region: i < 2 ? "east" : "west" }),
  });
  harness = startBindingController(fleet);
});

after(async () => {
  harness?.stop();
  await fleet?.stop();
});

const policyApi = `${OVERRIDE_POLICIES.group}/${OVERRIDE_POLICIES.version}`;

function spec(object: KubeObject | undefined): Record<string, unknown> {
  return object && isRecord(object.spec) ? object.spec : {};
}

function containers(object: KubeObject | undefined): Array<Record<string, unknown>> {
  const template = spec(object).template;
  const podSpec = isRecord(template) && isRecord(template.spec) ? template.spec : {};
  return Array.isArray(podSpec.containers) ? podSpec.containers.filter(isRecord) : [];
}

async function bindingNow(binding: ResourceBinding): Promise<ResourceBinding> {
  return (await fleet.hub.get(
    RESOURCE_BINDINGS,
    binding.metadata.namespace,
    binding.metadata.name ?? "",
  )) as ResourceBinding;
}

/** The Work in `member` once `check` holds for it. */
function workWhen(binding: KubeObject, member: string, what: string, check: (work: Work) => boolean) {
  return until(`${what} (${member})`, async () => {
    const work = await workOf(fleet.hub, binding, member);
    return work && check(work) ? work : undefined;
  });
}

describe("rendering bindings into Works", () => {
  test("Divided 7 replicas over k8s-1:4 and k8s-2:3 — cleaned, labelled copies with exactly those replicas", async () => {
    await createNamespace(fleet, "divided");
    const template = await fleet.hub.create(R.deployments, "divided", deployment("divided", "web", 7));
    const binding = await createBinding(fleet.hub, template, {
      clusters: [
        { name: "k8s-1", replicas: 4 },
        { name: "k8s-2", replicas: 3 },
      ],
      placement: { replicaScheduling: { replicaSchedulingType: "Divided" } },
    });
    const id = binding.metadata.labels?.[PropagationLabels.resourceBindingId] ?? "";
    const one = await workWhen(binding, "k8s-1", "a Work", () => true);
    const two = await workWhen(binding, "k8s-2", "a Work", () => true);
    assert.equal(spec(manifestsOf(one)[0]).replicas, 4);
    assert.equal(spec(manifestsOf(two)[0]).replicas, 3);
    assert.equal(await workOf(fleet.hub, binding, "k8s-3"), undefined, "k8s-3 is not a target");

    assert.deepEqual(one.metadata.labels, { [PropagationLabels.resourceBindingId]: id });
    assert.equal(one.metadata.annotations?.[PropagationAnnotations.resourceBindingName], "web-deployment");
    assert.equal(one.metadata.annotations?.[PropagationAnnotations.resourceBindingNamespace], "divided");
    assert.equal(one.metadata.annotations?.[PropagationAnnotations.appliedOverrides], undefined);
    assert.equal(manifestsOf(one).length, 1);
    const copy = manifestsOf(one)[0];
    assert.deepEqual(copy?.metadata, {
      name: "web",
      namespace: "divided",
      labels: { app: "web", [AtollLabels.managedBy]: "atoll", [PropagationLabels.resourceBindingId]: id },
    });
    assert.equal(copy?.status, undefined);
    assert.ok(
      template.metadata.uid && template.metadata.managedFields,
      "the hub template had server-set fields",
    );

    const rendered = await until("Rendered True", async () => {
      const rb = await bindingNow(binding);
      return conditionOf(rb, "Rendered")?.status === "True" ? rb : undefined;
    });
    assert.equal(conditionOf(rendered, "Rendered")?.reason, "RenderSucceeded");
  });

  test("Duplicated keeps the template's replicas; a Service's hub cluster IP stays at the hub", async () => {
    await createNamespace(fleet, "dup");
    const template = await fleet.hub.create(R.deployments, "dup", deployment("dup", "web", 3));
    const binding = await createBinding(fleet.hub, template, {
      clusters: [
        { name: "k8s-1", replicas: 3 },
        { name: "k8s-3", replicas: 3 },
      ],
      placement: { replicaScheduling: { replicaSchedulingType: "Duplicated" } },
    });
    for (const member of ["k8s-1", "k8s-3"]) {
      const work = await workWhen(binding, member, "a Work", () => true);
      assert.equal(spec(manifestsOf(work)[0]).replicas, 3);
    }
    const service = await fleet.hub.create(R.services, "dup", {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: "dup" },
      // The hub's API server allocates no cluster IPs; one given (or allocated by a real hub) stays there.
      spec: { selector: { app: "web" }, ports: [{ port: 80 }], clusterIP: "10.96.0.10" },
    });
    assert.deepEqual(spec(service).clusterIPs, ["10.96.0.10"]);
    const serviceBinding = await createBinding(fleet.hub, service, { clusters: [{ name: "k8s-2" }] });
    const work = await workWhen(serviceBinding, "k8s-2", "a Work", () => true);
    const copy = spec(manifestsOf(work)[0]);
    assert.equal(copy.clusterIP, undefined);
    assert.equal(copy.clusterIPs, undefined);
    assert.deepEqual(copy.selector, { app: "web" });
  });

  test("overrides per member: an image tag for k8s-1, a label where region=west, a plaintext replace for all", async () => {
    await createNamespace(fleet, "ovr");
    const template = await fleet.hub.create(R.deployments, "ovr", deployment("ovr", "api", 2));
    const selector = [{ apiVersion: "apps/v1", kind: "Deployment", name: "api" }];
    await fleet.hub.create(OVERRIDE_POLICIES, "ovr", {
      apiVersion: policyApi,
      kind: "OverridePolicy",
      metadata: { name: "tag-k8s1", namespace: "ovr" },
      spec: {
        resourceSelectors: selector,
        overrideRules: [
          {
            targetCluster: { clusterNames: ["k8s-1"] },
            overriders: { imageOverrider: [{ component: "Tag", operator: "replace", value: "1.28" }] },
          },
        ],
      },
    });
    await fleet.hub.create(OVERRIDE_POLICIES, "ovr", {
      apiVersion: policyApi,
      kind: "OverridePolicy",
      metadata: { name: "rename", namespace: "ovr" },
      spec: {
        resourceSelectors: selector,
        overrideRules: [
          {
            overriders: {
              plaintext: [
                { path: "/spec/template/spec/containers/0/name", operator: "replace", value: "main" },
              ],
            },
          },
        ],
      },
    });
    await fleet.hub.create(CLUSTER_OVERRIDE_POLICIES, undefined, {
      apiVersion: policyApi,
      kind: "ClusterOverridePolicy",
      metadata: { name: "west-label" },
      spec: {
        resourceSelectors: [{ ...selector[0], namespace: "ovr" }],
        overrideRules: [
          {
            targetCluster: {
              fieldSelector: { matchExpressions: [{ key: "region", operator: "In", values: ["west"] }] },
            },
            overriders: { labelsOverrider: [{ operator: "add", value: { site: "west" } }] },
          },
        ],
      },
    });
    const binding = await createBinding(fleet.hub, template, {
      clusters: ["k8s-1", "k8s-2", "k8s-3"].map((name) => ({ name, replicas: 2 })),
    });
    const works = new Map<string, Work>();
    for (const member of ["k8s-1", "k8s-2", "k8s-3"]) {
      works.set(
        member,
        await workWhen(
          binding,
          member,
          "renamed container",
          (w) => containers(manifestsOf(w)[0])[0]?.name === "main",
        ),
      );
    }
    const image = (member: string) => containers(manifestsOf(works.get(member))[0])[0]?.image;
    const site = (member: string) => manifestsOf(works.get(member))[0]?.metadata.labels?.site;
    assert.deepEqual(
      ["k8s-1", "k8s-2", "k8s-3"].map((m) => [image(m), site(m)]),
      [
        ["nginx:1.28", undefined],
        ["nginx:1.27", undefined],
        ["nginx:1.27", "west"],
      ],
    );
    const annotations = (member: string) => works.get(member)?.metadata.annotations ?? {};
    assert.equal(
      annotations("k8s-1")[PropagationAnnotations.appliedOverrides],
      '["ovr/rename","ovr/tag-k8s1"]',
    );
    assert.equal(annotations("k8s-1")[PropagationAnnotations.appliedClusterOverrides], undefined);
    assert.equal(annotations("k8s-3")[PropagationAnnotations.appliedOverrides], '["ovr/rename"]');
    assert.equal(annotations("k8s-3")[PropagationAnnotations.appliedClusterOverrides], '["west-label"]');

    // Changing a policy re-renders; so does a member's region (override targeting reads it).
    await fleet.hub.patch(OVERRIDE_POLICIES, "ovr", "tag-k8s1", "json", [
      { op: "replace", path: "/spec/overrideRules/0/overriders/imageOverrider/0/value", value: "1.29" },
    ]);
    await workWhen(
      binding,
      "k8s-1",
      "tag 1.29",
      (w) => containers(manifestsOf(w)[0])[0]?.image === "nginx:1.29",
    );
    await fleet.hub.patch(MEMBER_CLUSTERS, undefined, "k8s-2", "merge", { spec: { region: "west" } });
    await workWhen(
      binding,
      "k8s-2",
      "the west label",
      (w) => manifestsOf(w)[0]?.metadata.labels?.site === "west",
    );
    await fleet.hub.patch(MEMBER_CLUSTERS, undefined, "k8s-2", "merge", { spec: { region: "east" } });
    await workWhen(
      binding,
      "k8s-2",
      "no west label",
      (w) => manifestsOf(w)[0]?.metadata.labels?.site === undefined,
    );
  });

  test("an override that cannot apply: Rendered False naming the policy, that member's Work left as it was", async () => {
    await createNamespace(fleet, "bad");
    const template = await fleet.hub.create(R.deployments, "bad", deployment("bad", "web", 1));
    const binding = await createBinding(fleet.hub, template, {
      clusters: [{ name: "k8s-1" }, { name: "k8s-2" }],
    });
    for (const member of ["k8s-1", "k8s-2"]) await workWhen(binding, member, "a Work", () => true);
    await fleet.hub.create(OVERRIDE_POLICIES, "bad", {
      apiVersion: policyApi,
      kind: "OverridePolicy",
      metadata: { name: "broken", namespace: "bad" },
      spec: {
        overrideRules: [
          {
            targetCluster: { clusterNames: ["k8s-2"] },
            overriders: { plaintext: [{ path: "/spec/paused/deeper", operator: "replace", value: true }] },
          },
        ],
      },
    });
    const failed = await until("Rendered False", async () => {
      const rb = await bindingNow(binding);
      return conditionOf(rb, "Rendered")?.status === "False" ? rb : undefined;
    });
    const condition = conditionOf(failed, "Rendered");
    assert.equal(condition?.reason, "OverrideFailed");
    assert.match(String(condition?.message), /OverridePolicy bad\/broken/);
    assert.match(String(condition?.message), /k8s-2/);

    // A template change reaches k8s-1; k8s-2 keeps what it had.
    await fleet.hub.patch(R.deployments, "bad", "web", "json", [
      { op: "replace", path: "/spec/template/spec/containers/0/image", value: "nginx:1.28" },
    ]);
    await workWhen(
      binding,
      "k8s-1",
      "image 1.28",
      (w) => containers(manifestsOf(w)[0])[0]?.image === "nginx:1.28",
    );
    assert.equal(
      containers(manifestsOf(await workOf(fleet.hub, binding, "k8s-2"))[0])[0]?.image,
      "nginx:1.27",
    );

    await fleet.hub.delete(OVERRIDE_POLICIES, "bad", "broken");
    await workWhen(
      binding,
      "k8s-2",
      "image 1.28",
      (w) => containers(manifestsOf(w)[0])[0]?.image === "nginx:1.28",
    );
    await until(
      "Rendered True again",
      async () => conditionOf(await bindingNow(binding), "Rendered")?.status === "True",
    );
  });

  test("the retain-replicas label leaves spec.replicas out of every member's copy", async () => {
    await createNamespace(fleet, "hpa");
    const object = deployment("hpa", "web", 6);
    object.metadata.labels = { ...object.metadata.labels, [RETAIN_REPLICAS_LABEL]: "true" };
    const template = await fleet.hub.create(R.deployments, "hpa", object);
    const binding = await createBinding(fleet.hub, template, {
      clusters: [
        { name: "k8s-1", replicas: 3 },
        { name: "k8s-2", replicas: 3 },
      ],
      placement: { replicaScheduling: {} },
    });
    for (const member of ["k8s-1", "k8s-2"]) {
      const work = await workWhen(binding, member, "a Work", () => true);
      assert.equal("replicas" in spec(manifestsOf(work)[0]), false);
    }
  });

  test("propagateDeps: the ConfigMap, Secret and ServiceAccount the pods use follow, and follow their edits", async () => {
    await createNamespace(fleet, "deps");
    await fleet.hub.create(R.configmaps, "deps", { metadata: { name: "web-conf" }, data: { mode: "fast" } });
    await fleet.hub.create(R.secrets, "deps", { metadata: { name: "web-env" }, stringData: { TOKEN: "t" } });
    await fleet.hub.create(R.serviceaccounts, "deps", { metadata: { name: "runner" } });
    await fleet.hub.create(R.configmaps, "deps", { metadata: { name: "unrelated" }, data: {} });
    const template = await fleet.hub.create(
      R.deployments,
      "deps",
      deployment("deps", "web", 1, {
        serviceAccountName: "runner",
        volumes: [{ name: "conf", configMap: { name: "web-conf" } }],
        containers: [
          {
            name: "web",
            image: "nginx:1.27",
            envFrom: [{ secretRef: { name: "web-env" } }],
            env: [
              { name: "LATER", valueFrom: { configMapKeyRef: { name: "later", key: "k", optional: true } } },
            ],
          },
        ],
      }),
    );
    const binding = await createBinding(fleet.hub, template, {
      clusters: [{ name: "k8s-1" }],
      propagateDeps: true,
    });
    const id = binding.metadata.labels?.[PropagationLabels.resourceBindingId];
    const work = await workWhen(binding, "k8s-1", "four manifests", (w) => manifestsOf(w).length === 4);
    const manifests = manifestsOf(work);
    assert.deepEqual(
      manifests.map((m) => `${m.kind}/${m.metadata.name}`),
      ["Deployment/web", "ConfigMap/web-conf", "Secret/web-env", "ServiceAccount/runner"],
    );
    for (const dependency of manifests.slice(1)) {
      assert.equal(dependency.metadata.uid, undefined);
      assert.equal(dependency.metadata.resourceVersion, undefined);
      assert.equal(dependency.metadata.labels?.[PropagationLabels.resourceBindingId], id);
      assert.equal(dependency.metadata.labels?.[AtollLabels.managedBy], "atoll");
    }
    assert.deepEqual(manifests[1]?.data, { mode: "fast" });

    await fleet.hub.patch(R.configmaps, "deps", "web-conf", "merge", { data: { mode: "slow" } });
    await workWhen(binding, "k8s-1", "the edited ConfigMap", (w) => {
      const cm = manifestsOf(w).find((m) => m.metadata.name === "web-conf");
      return isRecord(cm?.data) && cm.data.mode === "slow";
    });
    // A dependency missing so far joins once it exists.
    await fleet.hub.create(R.configmaps, "deps", { metadata: { name: "later" }, data: { k: "v" } });
    const joined = await workWhen(binding, "k8s-1", "five manifests", (w) => manifestsOf(w).length === 5);
    assert.deepEqual(
      manifestsOf(joined).map((m) => `${m.kind}/${m.metadata.name}`),
      ["Deployment/web", "ConfigMap/later", "ConfigMap/web-conf", "Secret/web-env", "ServiceAccount/runner"],
    );
  });

  test("bad input is reported on the binding: an unserved kind, a missing template, a member that does not exist", async () => {
    await createNamespace(fleet, "odd");
    const unserved = await createBinding(
      fleet.hub,
      { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", namespace: "odd" } },
      { clusters: [{ name: "k8s-1" }] },
    );
    const missing = await createBinding(fleet.hub, deployment("odd", "ghost", 1), {
      clusters: [{ name: "k8s-1" }],
    });
    const template = await fleet.hub.create(R.deployments, "odd", deployment("odd", "web", 1));
    const partly = await createBinding(fleet.hub, template, {
      clusters: [{ name: "k8s-1" }, { name: "k8s-9" }],
    });
    const reason = async (binding: ResourceBinding) => {
      const rendered = conditionOf(await bindingNow(binding), "Rendered");
      return rendered?.status === "False" ? [rendered.reason, rendered.message] : undefined;
    };
    assert.deepEqual(await until("UnknownKind", () => reason(unserved)), [
      "UnknownKind",
      "the hub serves no resource for example.com/v1/Widget",
    ]);
    assert.deepEqual(await until("TemplateNotFound", () => reason(missing)), [
      "TemplateNotFound",
      "Deployment odd/ghost does not exist",
    ]);
    assert.deepEqual(await until("MemberNotFound", () => reason(partly)), [
      "MemberNotFound",
      "member k8s-9 does not exist",
    ]);
    assert.ok(await workOf(fleet.hub, partly, "k8s-1"), "the members that exist get their Work");
  });

  test("steady state: events that change nothing rendered cause no writes", async () => {
    await createNamespace(fleet, "steady");
    const template = await fleet.hub.create(R.deployments, "steady", deployment("steady", "web", 2));
    const binding = await createBinding(fleet.hub, template, {
      clusters: ["k8s-1", "k8s-2", "k8s-3"].map((name) => ({ name, replicas: 2 })),
    });
    for (const member of ["k8s-1", "k8s-2", "k8s-3"]) await workWhen(binding, member, "a Work", () => true);
    await until("Rendered and FullyApplied reported", async () => {
      const rb = await bindingNow(binding);
      return conditionOf(rb, "Rendered")?.status === "True" && conditionOf(rb, "FullyApplied") !== undefined;
    });
    const mark = harness.writes.length;
    // A status-only change of the binding, a member label no policy reads, an unrelated policy.
    await fleet.hub.patch(RESOURCE_BINDINGS, "steady", binding.metadata.name ?? "", "merge", {
      metadata: { annotations: { touched: "yes" } },
    });
    await fleet.hub.patch(MEMBER_CLUSTERS, undefined, "k8s-3", "merge", {
      metadata: { labels: { noise: "1" } },
    });
    await fleet.hub.create(OVERRIDE_POLICIES, "steady", {
      apiVersion: policyApi,
      kind: "OverridePolicy",
      metadata: { name: "for-something-else", namespace: "steady" },
      spec: {
        resourceSelectors: [{ apiVersion: "v1", kind: "ConfigMap", name: "nothing" }],
        overrideRules: [{ overriders: { labelsOverrider: [{ operator: "add", value: { x: "y" } }] } }],
      },
    });
    // A sentinel rendered after those events were delivered.
    const marker = await fleet.hub.create(R.configmaps, "steady", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "sentinel" },
      data: {},
    });
    const sentinel = await createBinding(fleet.hub, marker, { clusters: [{ name: "k8s-3" }] });
    await workWhen(sentinel, "k8s-3", "the sentinel's Work", () => true);
    await until(
      "the sentinel reported",
      async () => conditionOf(await bindingNow(sentinel), "Rendered") !== undefined,
    );
    const others = harness.writes.slice(mark).filter((w) => !w.includes("sentinel-configmap"));
    assert.deepEqual(others, []);
    assert.deepEqual(harness.errors, []);
  });
});
