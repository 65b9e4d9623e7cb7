import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { PropagationSpec, ResourceSelector } from "@atoll/api";
import type { KubeObject } from "@atoll/kube";
import {
  type CandidatePolicy,
  canPreempt,
  choosePolicy,
  matchStrength,
  type PolicyClaim,
  type PolicyScope,
} from "./policy-match.ts";

const deployment = (name: string, namespace = "apps", labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace, labels },
});

const byKind: ResourceSelector = { apiVersion: "apps/v1", kind: "Deployment" };
const byName = (name: string): ResourceSelector => ({ ...byKind, name });
const byLabel = (matchLabels: Record<string, string>): ResourceSelector => ({
  ...byKind,
  labelSelector: { matchLabels },
});

function pp(name: string, spec: Partial<PropagationSpec> = {}, namespace = "apps"): CandidatePolicy {
  return policy("namespaced", name, spec, namespace);
}
function cpp(name: string, spec: Partial<PropagationSpec> = {}): CandidatePolicy {
  return policy("cluster", name, spec);
}
function policy(
  scope: PolicyScope,
  name: string,
  spec: Partial<PropagationSpec>,
  namespace?: string,
): CandidatePolicy {
  return {
    scope,
    policy: {
      metadata: { name, uid: `uid-${name}`, ...(namespace ? { namespace } : {}) },
      spec: { resourceSelectors: [byKind], ...spec },
    },
  };
}

describe("matchStrength", () => {
  const cases: Array<{ name: string; policy: CandidatePolicy; template: KubeObject; strength: number }> = [
    { name: "kind only", policy: pp("p"), template: deployment("web"), strength: 1 },
    {
      name: "label selector",
      policy: pp("p", { resourceSelectors: [byLabel({ app: "web" })] }),
      template: deployment("web", "apps", { app: "web" }),
      strength: 2,
    },
    {
      name: "label selector that does not match",
      policy: pp("p", { resourceSelectors: [byLabel({ app: "db" })] }),
      template: deployment("web", "apps", { app: "web" }),
      strength: 0,
    },
    {
      name: "by name (label selector then ignored)",
      policy: pp("p", {
        resourceSelectors: [{ ...byName("web"), labelSelector: { matchLabels: { x: "y" } } }],
      }),
      template: deployment("web"),
      strength: 3,
    },
    {
      name: "the best of several selectors",
      policy: pp("p", { resourceSelectors: [byKind, byName("web")] }),
      template: deployment("web"),
      strength: 3,
    },
    {
      name: "another kind",
      policy: pp("p", { resourceSelectors: [{ apiVersion: "v1", kind: "ConfigMap" }] }),
      template: deployment("web"),
      strength: 0,
    },
    {
      name: "another apiVersion",
      policy: pp("p", { resourceSelectors: [{ apiVersion: "apps/v1beta1", kind: "Deployment" }] }),
      template: deployment("web"),
      strength: 0,
    },
    {
      name: "a PropagationPolicy of another namespace",
      policy: pp("p", {}, "other"),
      template: deployment("web"),
      strength: 0,
    },
    {
      name: "a PropagationPolicy naming another namespace in its selector",
      policy: pp("p", { resourceSelectors: [{ ...byKind, namespace: "other" }] }),
      template: deployment("web"),
      strength: 0,
    },
    {
      name: "no selectors selects nothing",
      policy: pp("p", { resourceSelectors: [] }),
      template: deployment("web"),
      strength: 0,
    },
    {
      name: "a ClusterPropagationPolicy in any namespace",
      policy: cpp("c"),
      template: deployment("web"),
      strength: 1,
    },
    {
      name: "a ClusterPropagationPolicy limited to a namespace",
      policy: cpp("c", { resourceSelectors: [{ ...byKind, namespace: "other" }] }),
      template: deployment("web"),
      strength: 0,
    },
    {
      name: "a ClusterPropagationPolicy on a cluster-scoped kind",
      policy: cpp("c", { resourceSelectors: [{ apiVersion: "v1", kind: "Namespace", name: "team" }] }),
      template: { apiVersion: "v1", kind: "Namespace", metadata: { name: "team" } },
      strength: 3,
    },
    {
      name: "a PropagationPolicy never selects a cluster-scoped template",
      policy: pp("p", { resourceSelectors: [{ apiVersion: "v1", kind: "Namespace" }] }),
      template: { apiVersion: "v1", kind: "Namespace", metadata: { name: "apps" } },
      strength: 0,
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.equal(matchStrength(c.policy, c.template), c.strength));
  }
});

describe("choosePolicy for an unclaimed template", () => {
  const cases: Array<{ name: string; policies: CandidatePolicy[]; template?: KubeObject; chosen?: string }> =
    [
      { name: "no policy", policies: [], chosen: undefined },
      { name: "no matching policy", policies: [pp("p", {}, "other")], chosen: undefined },
      {
        name: "a PropagationPolicy beats a ClusterPropagationPolicy of higher priority and stronger match",
        policies: [cpp("c", { priority: 100, resourceSelectors: [byName("web")] }), pp("p")],
        chosen: "p",
      },
      {
        name: "higher priority wins",
        policies: [pp("a", { priority: 1 }), pp("b", { priority: 5 })],
        chosen: "b",
      },
      {
        name: "priority beats match strength",
        policies: [pp("a", { resourceSelectors: [byName("web")] }), pp("b", { priority: 1 })],
        chosen: "b",
      },
      {
        name: "at equal priority, by name beats by label beats kind only",
        policies: [
          pp("a"),
          pp("b", { resourceSelectors: [byLabel({ app: "web" })] }),
          pp("c", { resourceSelectors: [byName("web")] }),
        ],
        template: deployment("web", "apps", { app: "web" }),
        chosen: "c",
      },
      {
        name: "label selector beats kind only",
        policies: [pp("a"), pp("b", { resourceSelectors: [byLabel({ app: "web" })] })],
        template: deployment("web", "apps", { app: "web" }),
        chosen: "b",
      },
      {
        name: "all else equal, the first name",
        policies: [pp("zeta"), pp("alpha"), pp("mid")],
        chosen: "alpha",
      },
      {
        name: "between ClusterPropagationPolicies, priority then strength then name",
        policies: [cpp("b", { priority: 2 }), cpp("a", { priority: 2 }), cpp("c", { priority: 1 })],
        chosen: "a",
      },
    ];
  for (const c of cases) {
    test(c.name, () => {
      const decision = choosePolicy({ template: c.template ?? deployment("web"), policies: c.policies });
      if (c.chosen === undefined) return assert.deepEqual(decision, { action: "none" });
      assert.equal(decision.action, "claim");
      assert.equal(decision.action === "claim" && decision.policy.policy.metadata.name, c.chosen);
      assert.equal(decision.action === "claim" && decision.why, "new");
    });
  }
});

describe("choosePolicy for a claimed template: stability and preemption", () => {
  const claimPP = (name: string, uid = `uid-${name}`): PolicyClaim => ({
    scope: "namespaced",
    namespace: "apps",
    name,
    uid,
  });
  const claimCPP = (name: string): PolicyClaim => ({ scope: "cluster", name, uid: `uid-${name}` });
  const cases: Array<{
    name: string;
    claimed: PolicyClaim;
    policies: CandidatePolicy[];
    expected: { action: "claim"; policy: string; why: string } | { action: "release" };
  }> = [
    {
      name: "keeps its policy when a better one appears without preemption",
      claimed: claimPP("low"),
      policies: [pp("low"), pp("high", { priority: 10 })],
      expected: { action: "claim", policy: "low", why: "kept" },
    },
    {
      name: "preemption Never is the same as unset",
      claimed: claimPP("low"),
      policies: [pp("low"), pp("high", { priority: 10, preemption: "Never" })],
      expected: { action: "claim", policy: "low", why: "kept" },
    },
    {
      name: "a higher-priority PropagationPolicy with preemption Always takes it",
      claimed: claimPP("low"),
      policies: [pp("low"), pp("high", { priority: 10, preemption: "Always" })],
      expected: { action: "claim", policy: "high", why: "preempted" },
    },
    {
      name: "equal priority does not preempt, even with a stronger match",
      claimed: claimPP("low"),
      policies: [pp("low"), pp("named", { preemption: "Always", resourceSelectors: [byName("web")] })],
      expected: { action: "claim", policy: "low", why: "kept" },
    },
    {
      name: "a lower priority does not preempt",
      claimed: claimPP("mid"),
      policies: [pp("mid", { priority: 5 }), pp("lower", { priority: 1, preemption: "Always" })],
      expected: { action: "claim", policy: "mid", why: "kept" },
    },
    {
      name: "a PropagationPolicy with preemption Always takes it from any ClusterPropagationPolicy",
      claimed: claimCPP("cluster"),
      policies: [cpp("cluster", { priority: 100 }), pp("local", { preemption: "Always" })],
      expected: { action: "claim", policy: "local", why: "preempted" },
    },
    {
      name: "a PropagationPolicy without preemption leaves a ClusterPropagationPolicy's claim",
      claimed: claimCPP("cluster"),
      policies: [cpp("cluster"), pp("local")],
      expected: { action: "claim", policy: "cluster", why: "kept" },
    },
    {
      name: "a ClusterPropagationPolicy never preempts a PropagationPolicy",
      claimed: claimPP("local"),
      policies: [pp("local"), cpp("cluster", { priority: 100, preemption: "Always" })],
      expected: { action: "claim", policy: "local", why: "kept" },
    },
    {
      name: "a higher-priority ClusterPropagationPolicy with preemption Always takes it from another",
      claimed: claimCPP("old"),
      policies: [cpp("old", { priority: 1 }), cpp("new", { priority: 2, preemption: "Always" })],
      expected: { action: "claim", policy: "new", why: "preempted" },
    },
    {
      name: "the best-ranked preemptor wins",
      claimed: claimPP("low"),
      policies: [
        pp("low"),
        pp("b", { priority: 3, preemption: "Always" }),
        pp("a", { priority: 7, preemption: "Always" }),
        pp("never", { priority: 9 }),
      ],
      expected: { action: "claim", policy: "a", why: "preempted" },
    },
    {
      name: "its policy gone: rematched to the best",
      claimed: claimPP("gone"),
      policies: [pp("b"), pp("a")],
      expected: { action: "claim", policy: "a", why: "rematched" },
    },
    {
      name: "its policy re-created (another uid): rematched",
      claimed: claimPP("p", "uid-of-the-old-one"),
      policies: [pp("p")],
      expected: { action: "claim", policy: "p", why: "rematched" },
    },
    {
      name: "its policy no longer matches: rematched",
      claimed: claimPP("p"),
      policies: [pp("p", { resourceSelectors: [byName("other")] }), cpp("c")],
      expected: { action: "claim", policy: "c", why: "rematched" },
    },
    {
      name: "nothing matches any more: released",
      claimed: claimCPP("c"),
      policies: [pp("p", { resourceSelectors: [byName("other")] })],
      expected: { action: "release" },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const decision = choosePolicy({
        template: deployment("web"),
        policies: c.policies,
        claimed: c.claimed,
      });
      const actual =
        decision.action === "claim"
          ? { action: "claim", policy: decision.policy.policy.metadata.name, why: decision.why }
          : decision;
      assert.deepEqual(actual, c.expected);
    });
  }
});

test("canPreempt: Karmada's rules, as a table", () => {
  const always = { preemption: "Always" as const };
  const rows: Array<[CandidatePolicy, CandidatePolicy, boolean]> = [
    [pp("a", { ...always, priority: 2 }), pp("b", { priority: 1 }), true],
    [pp("a", { ...always, priority: 1 }), pp("b", { priority: 1 }), false],
    [pp("a", { priority: 2 }), pp("b", { priority: 1 }), false],
    [pp("a", { ...always, priority: -5 }), cpp("b", { priority: 100 }), true],
    [cpp("a", { ...always, priority: 100 }), pp("b", { priority: -5 }), false],
    [cpp("a", { ...always, priority: 2 }), cpp("b", { priority: 1 }), true],
    [cpp("a", { ...always, priority: 1 }), cpp("b", { priority: 2 }), false],
  ];
  for (const [challenger, holder, expected] of rows) {
    assert.equal(
      canPreempt(challenger, holder),
      expected,
      `${challenger.scope} ${challenger.policy.metadata.name} over ${holder.scope} ${holder.policy.metadata.name}`,
    );
  }
});
