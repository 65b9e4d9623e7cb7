import assert from "node:assert/strict";
import { test } from "node:test";
import { PropagationAnnotations, PropagationFinalizers, PropagationLabels } from "@atoll/api";
import type { KubeObject } from "@atoll/kube";
import { claimOf, claimPatch, releaseBindingPatch } from "./claim.ts";
import type { CandidatePolicy } from "./policy-match.ts";

const pp: CandidatePolicy = {
  scope: "namespaced",
  policy: { metadata: { name: "web", namespace: "apps", uid: "u-pp" }, spec: { resourceSelectors: [] } },
};
const cpp: CandidatePolicy = {
  scope: "cluster",
  policy: { metadata: { name: "all", uid: "u-cpp" }, spec: { resourceSelectors: [] } },
};
const template = (metadata: Partial<KubeObject["metadata"]> = {}): KubeObject => ({
  metadata: { name: "web", namespace: "apps", resourceVersion: "7", ...metadata },
});

test("claiming an unclaimed template adds labels, annotations and the finalizer, keeping the user's", () => {
  const patch = claimPatch(template({ labels: { app: "web" }, finalizers: ["user/keep"] }), pp);
  assert.deepEqual(patch, {
    metadata: {
      resourceVersion: "7",
      labels: { [PropagationLabels.propagationPolicyId]: "u-pp" },
      annotations: {
        [PropagationAnnotations.propagationPolicyName]: "web",
        [PropagationAnnotations.propagationPolicyNamespace]: "apps",
      },
      finalizers: ["user/keep", PropagationFinalizers.propagation],
    },
  });
});

test("a template claimed as wanted needs no patch; switching scope clears the other's marks", () => {
  const claimed = template({
    labels: { [PropagationLabels.clusterPropagationPolicyId]: "u-cpp" },
    annotations: { [PropagationAnnotations.clusterPropagationPolicyName]: "all" },
    finalizers: [PropagationFinalizers.propagation],
  });
  assert.equal(claimPatch(claimed, cpp), undefined);
  assert.deepEqual(claimOf(claimed), { scope: "cluster", name: "all", uid: "u-cpp" });
  assert.deepEqual(claimPatch(claimed, pp), {
    metadata: {
      resourceVersion: "7",
      labels: {
        [PropagationLabels.propagationPolicyId]: "u-pp",
        [PropagationLabels.clusterPropagationPolicyId]: null,
      },
      annotations: {
        [PropagationAnnotations.propagationPolicyName]: "web",
        [PropagationAnnotations.propagationPolicyNamespace]: "apps",
        [PropagationAnnotations.clusterPropagationPolicyName]: null,
      },
    },
  });
});

test("releasing removes only the claim", () => {
  const claimed = template({
    labels: { app: "web", [PropagationLabels.propagationPolicyId]: "u-pp" },
    annotations: {
      [PropagationAnnotations.propagationPolicyName]: "web",
      [PropagationAnnotations.propagationPolicyNamespace]: "apps",
    },
    finalizers: [PropagationFinalizers.propagation, "user/keep"],
  });
  assert.deepEqual(claimOf(claimed), { scope: "namespaced", namespace: "apps", name: "web", uid: "u-pp" });
  assert.deepEqual(claimPatch(claimed, undefined), {
    metadata: {
      resourceVersion: "7",
      labels: { [PropagationLabels.propagationPolicyId]: null },
      annotations: {
        [PropagationAnnotations.propagationPolicyName]: null,
        [PropagationAnnotations.propagationPolicyNamespace]: null,
      },
      finalizers: ["user/keep"],
    },
  });
  assert.equal(claimPatch(template(), undefined), undefined);
  const binding = template({
    labels: { [PropagationLabels.propagationPolicyId]: "u-pp", [PropagationLabels.resourceBindingId]: "b" },
  });
  assert.deepEqual(releaseBindingPatch(binding), {
    metadata: { labels: { [PropagationLabels.propagationPolicyId]: null } },
  });
  assert.equal(releaseBindingPatch(template()), undefined);
});
