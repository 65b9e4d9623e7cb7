import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { MemberCluster } from "@atoll/api";
import { labelSelectorMatches } from "./label-selector.ts";
import { targetClusterMatches } from "./target-cluster.ts";
import type { ClusterAffinity, LabelSelector } from "./types.ts";

function member(
  name: string,
  labels: Record<string, string>,
  fields: { region?: string; zone?: string; provider?: string },
) {
  const cluster: MemberCluster = {
    apiVersion: "cluster.atoll.io/v1alpha1",
    kind: "MemberCluster",
    metadata: { name, labels },
    spec: { kubeconfig: { secretRef: { namespace: "atoll-system", name } }, ...fields },
  };
  return cluster;
}

const k1 = member(
  "k8s-1",
  { env: "prod", gen: "3" },
  { region: "eu-west", zone: "eu-west-1a", provider: "aws" },
);
const k2 = member("k8s-2", { env: "staging" }, { region: "us-east", provider: "gcp" });
const k3 = member("k8s-3", {}, {});
const all = [k1, k2, k3];

function selected(affinity: ClusterAffinity | undefined): string[] {
  return all.filter((m) => targetClusterMatches(affinity, m)).map((m) => m.metadata.name ?? "");
}

describe("targetCluster", () => {
  test("absent or empty matches every member", () => {
    assert.deepEqual(selected(undefined), ["k8s-1", "k8s-2", "k8s-3"]);
    assert.deepEqual(selected({}), ["k8s-1", "k8s-2", "k8s-3"]);
  });

  test("clusterNames and exclude", () => {
    assert.deepEqual(selected({ clusterNames: ["k8s-1", "k8s-3", "k8s-9"] }), ["k8s-1", "k8s-3"]);
    assert.deepEqual(selected({ exclude: ["k8s-2"] }), ["k8s-1", "k8s-3"]);
    assert.deepEqual(selected({ clusterNames: ["k8s-1", "k8s-2"], exclude: ["k8s-1"] }), ["k8s-2"]);
  });

  test("labelSelector", () => {
    assert.deepEqual(selected({ labelSelector: { matchLabels: { env: "prod" } } }), ["k8s-1"]);
    assert.deepEqual(
      selected({
        labelSelector: { matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] },
      }),
      ["k8s-2", "k8s-3"],
    );
    assert.deepEqual(selected({ labelSelector: {} }), ["k8s-1", "k8s-2", "k8s-3"]);
  });

  test("fieldSelector on region, zone and provider", () => {
    const by = (key: string, operator: "In" | "NotIn" | "Exists" | "DoesNotExist", values?: string[]) =>
      selected({ fieldSelector: { matchExpressions: [{ key, operator, values }] } });
    assert.deepEqual(by("region", "In", ["eu-west", "ap-south"]), ["k8s-1"]);
    assert.deepEqual(by("region", "NotIn", ["eu-west"]), ["k8s-2", "k8s-3"]);
    assert.deepEqual(by("zone", "Exists"), ["k8s-1"]);
    assert.deepEqual(by("provider", "DoesNotExist"), ["k8s-3"]);
    assert.deepEqual(
      selected({
        fieldSelector: {
          matchExpressions: [
            { key: "provider", operator: "In", values: ["aws", "gcp"] },
            { key: "region", operator: "In", values: ["us-east"] },
          ],
        },
      }),
      ["k8s-2"],
    );
  });

  test("as in Karmada, a fieldSelector without expressions matches nothing", () => {
    assert.deepEqual(selected({ fieldSelector: {} }), []);
  });

  test("every part that is set must match", () => {
    assert.deepEqual(
      selected({
        clusterNames: ["k8s-1", "k8s-2"],
        labelSelector: { matchExpressions: [{ key: "env", operator: "Exists" }] },
        fieldSelector: {
          matchExpressions: [{ key: "region", operator: "In", values: ["us-east", "eu-west"] }],
        },
        exclude: ["k8s-1"],
      }),
      ["k8s-2"],
    );
  });
});

describe("label selectors", () => {
  const labels = { app: "web", gen: "3" };
  const cases: Array<[LabelSelector, boolean]> = [
    [{}, true],
    [{ matchLabels: { app: "web" } }, true],
    [{ matchLabels: { app: "db" } }, false],
    [{ matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] }, true],
    [{ matchExpressions: [{ key: "app", operator: "In", values: ["web", "api"] }] }, true],
    [{ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["a"] }] }, true],
    [{ matchExpressions: [{ key: "app", operator: "In", values: [] }] }, false],
    [{ matchExpressions: [{ key: "app", operator: "Exists", values: ["web"] }] }, false],
    [{ matchExpressions: [{ key: "app", operator: "Equals" as "In", values: ["web"] }] }, false],
    [{ matchLabels: { constructor: "x" } }, false],
  ];
  for (const [selector, expected] of cases) {
    test(`${JSON.stringify(selector)} → ${expected}`, () => {
      assert.equal(labelSelectorMatches(selector, labels), expected);
    });
  }
});
