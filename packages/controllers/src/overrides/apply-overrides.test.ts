import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { MemberCluster } from "@atoll/api";
import type { KubeObject } from "@atoll/kube";
import { applyOverrides } from "./apply-overrides.ts";
import { OverrideError } from "./override-error.ts";
import type { ClusterOverridePolicy, OverridePolicy, OverrideSpec, ResourceSelector } from "./types.ts";

function member(name: string, region: string, labels: Record<string, string> = {}): MemberCluster {
  return {
    apiVersion: "cluster.atoll.io/v1alpha1",
    kind: "MemberCluster",
    metadata: { name, labels },
    spec: { kubeconfig: { secretRef: { namespace: "atoll-system", name } }, region },
  };
}

const k1 = member("k8s-1", "eu-west", { env: "prod" });
const k2 = member("k8s-2", "us-east", { env: "staging" });

function deployment(): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "shop", labels: { app: "web" } },
    spec: {
      replicas: 3,
      template: { spec: { containers: [{ name: "web", image: "nginx:1.25", args: ["--a"] }] } },
    },
  };
}

const deploymentSelector: ResourceSelector = { apiVersion: "apps/v1", kind: "Deployment" };

function clusterPolicy(name: string, spec: OverrideSpec): ClusterOverridePolicy {
  return { apiVersion: "policy.atoll.io/v1alpha1", kind: "ClusterOverridePolicy", metadata: { name }, spec };
}

function policy(name: string, spec: OverrideSpec, namespace = "shop"): OverridePolicy {
  return {
    apiVersion: "policy.atoll.io/v1alpha1",
    kind: "OverridePolicy",
    metadata: { name, namespace },
    spec,
  };
}

/** A policy whose one rule for every member sets the `winner` annotation to its name. */
function marker(name: string, selectors?: ResourceSelector[], namespace?: string) {
  const spec: OverrideSpec = {
    resourceSelectors: selectors,
    overrideRules: [
      { overriders: { annotationsOverrider: [{ operator: "add", value: { winner: name, [name]: "" } }] } },
    ],
  };
  return namespace ? policy(name, spec, namespace) : clusterPolicy(name, spec);
}

function annotations(object: KubeObject): Record<string, string> {
  return object.metadata.annotations ?? {};
}

describe("applyOverrides", () => {
  test("rules target members by name, exclude, labels and region; overriders apply in a fixed order", () => {
    const images = clusterPolicy("images", {
      resourceSelectors: [deploymentSelector],
      overrideRules: [
        {
          targetCluster: {
            fieldSelector: { matchExpressions: [{ key: "region", operator: "In", values: ["eu-west"] }] },
          },
          overriders: {
            imageOverrider: [{ component: "Registry", operator: "replace", value: "eu.mirror.example" }],
          },
        },
        {
          targetCluster: { labelSelector: { matchLabels: { env: "staging" } } },
          overriders: { imageOverrider: [{ component: "Tag", operator: "replace", value: "1.26" }] },
        },
        {
          targetCluster: { clusterNames: ["k8s-2"] },
          overriders: { argsOverrider: [{ containerName: "web", operator: "add", value: ["--b"] }] },
        },
        {
          targetCluster: { exclude: ["k8s-2"] },
          overriders: { labelsOverrider: [{ operator: "add", value: { pinned: "true" } }] },
        },
      ],
    });
    const web = policy("web", {
      resourceSelectors: [{ ...deploymentSelector, name: "web" }],
      overrideRules: [
        {
          overriders: {
            // plaintext runs after labelsOverrider, whatever order the fields are written in.
            plaintext: [{ operator: "replace", path: "/metadata/labels/app", value: "web-member" }],
            labelsOverrider: [{ operator: "replace", value: { app: "web-by-label" } }],
            commandOverrider: [{ containerName: "web", operator: "add", value: ["nginx"] }],
          },
        },
      ],
    });
    const input = { template: deployment(), clusterPolicies: [images], namespacedPolicies: [web] };

    const one = applyOverrides({ ...input, member: k1 });
    const two = applyOverrides({ ...input, member: k2 });
    assert.deepEqual(one.object.metadata.labels, { app: "web-member", pinned: "true" });
    assert.deepEqual(one.object.spec, {
      replicas: 3,
      template: {
        spec: {
          containers: [
            { name: "web", image: "eu.mirror.example/nginx:1.25", args: ["--a"], command: ["nginx"] },
          ],
        },
      },
    });
    assert.deepEqual(one.applied, [
      { kind: "ClusterOverridePolicy", policy: "images", rules: 2 },
      { kind: "OverridePolicy", policy: "web", rules: 1 },
    ]);
    assert.deepEqual(two.object.metadata.labels, { app: "web-member" });
    assert.deepEqual(two.object.spec, {
      replicas: 3,
      template: {
        spec: {
          containers: [{ name: "web", image: "nginx:1.26", args: ["--a", "--b"], command: ["nginx"] }],
        },
      },
    });
    assert.deepEqual(two.applied, [
      { kind: "ClusterOverridePolicy", policy: "images", rules: 2 },
      { kind: "OverridePolicy", policy: "web", rules: 1 },
    ]);
  });

  test("cluster policies apply before namespaced ones, each group by name", () => {
    const result = applyOverrides({
      template: deployment(),
      member: k1,
      clusterPolicies: [marker("c-b", [deploymentSelector]), marker("c-a", [deploymentSelector])],
      namespacedPolicies: [
        marker("a-ns", [deploymentSelector], "shop"),
        marker("0-ns", [deploymentSelector], "shop"),
      ],
    });
    assert.equal(annotations(result.object).winner, "a-ns");
    assert.deepEqual(
      result.applied.map((a) => `${a.kind}/${a.policy}`),
      [
        "ClusterOverridePolicy/c-a",
        "ClusterOverridePolicy/c-b",
        "OverridePolicy/0-ns",
        "OverridePolicy/a-ns",
      ],
    );
  });

  test("within a group, less specific selectors apply first so a name match wins", () => {
    const result = applyOverrides({
      template: deployment(),
      member: k1,
      clusterPolicies: [
        marker("a-by-name", [{ ...deploymentSelector, name: "web" }]),
        marker("b-by-label", [{ ...deploymentSelector, labelSelector: { matchLabels: { app: "web" } } }]),
        marker("c-all-deployments", [deploymentSelector]),
        marker("d-everything"),
        marker("e-mixed", [
          { ...deploymentSelector, name: "other" },
          { ...deploymentSelector, labelSelector: {} },
        ]),
      ],
      namespacedPolicies: [],
    });
    assert.deepEqual(
      result.applied.map((a) => a.policy),
      ["c-all-deployments", "d-everything", "b-by-label", "e-mixed", "a-by-name"],
    );
    assert.equal(annotations(result.object).winner, "a-by-name");
  });

  test("non-matching selectors, other namespaces and non-matching rules leave the object untouched", () => {
    const mismatches = [
      marker("kind", [{ apiVersion: "apps/v1", kind: "StatefulSet" }]),
      marker("version", [{ apiVersion: "apps/v1beta1", kind: "Deployment" }]),
      marker("name", [{ ...deploymentSelector, name: "api" }]),
      marker("name-wins-over-labels", [
        { ...deploymentSelector, name: "api", labelSelector: { matchLabels: { app: "web" } } },
      ]),
      marker("namespace", [{ ...deploymentSelector, namespace: "other" }]),
      marker("labels", [{ ...deploymentSelector, labelSelector: { matchLabels: { app: "api" } } }]),
      clusterPolicy("other-member", {
        overrideRules: [
          {
            targetCluster: { clusterNames: ["k8s-2"] },
            overriders: { labelsOverrider: [{ operator: "add", value: { x: "y" } }] },
          },
        ],
      }),
    ];
    const result = applyOverrides({
      template: deployment(),
      member: k1,
      clusterPolicies: mismatches,
      namespacedPolicies: [marker("elsewhere", [deploymentSelector], "other-ns")],
    });
    assert.deepEqual(result.object, deployment());
    assert.deepEqual(result.applied, []);
  });

  test("namespaced policies never apply to cluster-scoped templates", () => {
    const namespace: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } };
    const result = applyOverrides({
      template: namespace,
      member: k1,
      clusterPolicies: [marker("cluster")],
      namespacedPolicies: [
        policy("ns", { overriders: { labelsOverrider: [{ operator: "add", value: { a: "b" } }] } }, ""),
      ],
    });
    assert.deepEqual(result.applied, [{ kind: "ClusterOverridePolicy", policy: "cluster", rules: 1 }]);
    assert.deepEqual(result.object.metadata, {
      name: "shop",
      annotations: { winner: "cluster", cluster: "" },
    });
  });

  test("namespaced policies are selected against the copy the cluster policies produced", () => {
    const result = applyOverrides({
      template: deployment(),
      member: k1,
      clusterPolicies: [
        clusterPolicy("tier", {
          overrideRules: [
            { overriders: { labelsOverrider: [{ operator: "add", value: { tier: "edge" } }] } },
          ],
        }),
      ],
      namespacedPolicies: [
        marker(
          "edge-only",
          [{ ...deploymentSelector, labelSelector: { matchLabels: { tier: "edge" } } }],
          "shop",
        ),
      ],
    });
    assert.equal(annotations(result.object).winner, "edge-only");
  });

  test("the deprecated top-level targetCluster/overriders pair is one rule", () => {
    const legacy = clusterPolicy("legacy", {
      targetCluster: { clusterNames: ["k8s-1"] },
      overriders: { labelsOverrider: [{ operator: "add", value: { legacy: "yes" } }] },
    });
    const input = { template: deployment(), clusterPolicies: [legacy], namespacedPolicies: [] };
    assert.equal(applyOverrides({ ...input, member: k1 }).object.metadata.labels?.legacy, "yes");
    assert.equal(applyOverrides({ ...input, member: k2 }).object.metadata.labels?.legacy, undefined);
  });

  test("inputs are never mutated and the result shares nothing with them", () => {
    const template = deployment();
    const policies = [
      clusterPolicy("all", {
        overrideRules: [
          {
            overriders: {
              imageOverrider: [{ component: "Tag", operator: "replace", value: "2" }],
              argsOverrider: [{ containerName: "web", operator: "add", value: ["--z"] }],
              labelsOverrider: [{ operator: "add", value: { z: "1" } }],
              plaintext: [
                { operator: "add", path: "/spec/template/metadata", value: { labels: { z: "1" } } },
              ],
            },
          },
        ],
      }),
    ];
    const before = structuredClone({ template, policies, k1 });
    const { object } = applyOverrides({
      template,
      member: k1,
      clusterPolicies: policies,
      namespacedPolicies: [],
    });
    assert.deepEqual({ template, policies, k1 }, before);
    (
      object.spec as { template: { metadata: { labels: Record<string, string> } } }
    ).template.metadata.labels.z = "2";
    assert.deepEqual(policies, before.policies);
  });

  test("a failing overrider throws an OverrideError naming the policy, rule and overrider", () => {
    const broken = policy("broken", {
      overrideRules: [
        { targetCluster: { clusterNames: ["k8s-2"] }, overriders: {} },
        {
          overriders: {
            plaintext: [
              { operator: "add", path: "/spec/x", value: 1 },
              { operator: "remove", path: "/spec/paused" },
            ],
          },
        },
      ],
    });
    assert.throws(
      () =>
        applyOverrides({
          template: deployment(),
          member: k1,
          clusterPolicies: [],
          namespacedPolicies: [broken],
        }),
      (error: unknown) => {
        assert.ok(error instanceof OverrideError);
        assert.equal(error.reason, "PathNotFound");
        assert.deepEqual(error.source, {
          kind: "OverridePolicy",
          namespace: "shop",
          name: "broken",
          rule: 1,
        });
        assert.equal(
          error.message,
          "failed to apply OverridePolicy shop/broken rule 1 to Deployment shop/web for member k8s-1, plaintext[1]: path /spec/paused does not exist",
        );
        assert.ok(error.cause instanceof OverrideError);
        return true;
      },
    );
    const badOperator = clusterPolicy("bad", {
      overrideRules: [
        { overriders: { imageOverrider: [{ component: "Tag", operator: "upsert" as "add", value: "1" }] } },
      ],
    });
    assert.throws(
      () =>
        applyOverrides({
          template: deployment(),
          member: k1,
          clusterPolicies: [badOperator],
          namespacedPolicies: [],
        }),
      /ClusterOverridePolicy bad rule 0 .*imageOverrider\[0\]: image operator "upsert"/,
    );
  });
});
