import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { KubeObject } from "@atoll/kube";
import {
  CLUSTER_PROPAGATION_POLICIES,
  type ClusterPropagationPolicy,
  PROPAGATION_POLICIES,
  type PropagationPolicy,
  type PropagationSpec,
} from "./propagation-policy.ts";
import { assertInvalid, startTestHub, type TestHub } from "./test-hub.fixture.ts";

const apiVersion = `${PROPAGATION_POLICIES.group}/${PROPAGATION_POLICIES.version}`;

function policy(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion, kind: "PropagationPolicy", metadata: { name, namespace: "default" }, spec };
}

const nginx = { resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment", name: "nginx" }] };

describe("PropagationPolicy and ClusterPropagationPolicy CRDs", () => {
  let hub: TestHub;
  const create = (object: KubeObject) => hub.client.create(PROPAGATION_POLICIES, "default", object);
  before(async () => {
    hub = await startTestHub();
  });
  after(async () => {
    await hub.stop();
  });

  test("a weighted, spread, tolerant policy is accepted and defaulted", async () => {
    const created = (await create(
      policy("nginx", {
        resourceSelectors: [
          { apiVersion: "apps/v1", kind: "Deployment", name: "nginx" },
          { apiVersion: "v1", kind: "ConfigMap", labelSelector: { matchLabels: { app: "nginx" } } },
        ],
        placement: {
          clusterAffinity: {
            clusterNames: ["member1", "member2", "member3"],
            exclude: ["member4"],
            fieldSelector: { matchExpressions: [{ key: "region", operator: "In", values: ["eu-west"] }] },
          },
          clusterTolerations: [
            {
              key: "cluster.atoll.io/not-ready",
              operator: "Exists",
              effect: "NoExecute",
              tolerationSeconds: 30,
            },
            { key: "dedicated", value: "gpu", effect: "NoSchedule" },
          ],
          spreadConstraints: [{ spreadByField: "zone", maxGroups: 3, minGroups: 2 }],
          replicaScheduling: {
            replicaDivisionPreference: "Weighted",
            weightPreference: {
              staticWeightList: [
                { targetCluster: { clusterNames: ["member1"] }, weight: 2 },
                { targetCluster: { labelSelector: { matchLabels: { tier: "edge" } } }, weight: 1 },
              ],
            },
          },
        },
        propagateDeps: true,
        failover: { application: { decisionConditions: {} } },
      }),
    )) as PropagationPolicy;
    const spec: PropagationSpec = created.spec;
    assert.equal(spec.conflictResolution, "Abort");
    assert.equal(spec.priority, 0);
    assert.equal(spec.preemption, "Never");
    assert.equal(spec.placement?.replicaScheduling?.replicaSchedulingType, "Divided");
    assert.equal(spec.placement?.clusterTolerations?.[1].operator, "Equal");
    assert.deepEqual(spec.failover, {
      application: { decisionConditions: { tolerationSeconds: 300 }, purgeMode: "Graciously" },
    });
    assert.equal(spec.placement?.spreadConstraints?.[0].minGroups, 2);
  });

  test("a cluster-wide policy with ordered fall-back groups and dynamic weights is accepted", async () => {
    const created = (await hub.client.create(CLUSTER_PROPAGATION_POLICIES, undefined, {
      apiVersion,
      kind: "ClusterPropagationPolicy",
      metadata: { name: "crds-everywhere" },
      spec: {
        resourceSelectors: [{ apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition" }],
        placement: {
          clusterAffinities: [
            { affinityName: "primary", labelSelector: { matchLabels: { dc: "local" } } },
            {
              affinityName: "backup",
              fieldSelector: {
                matchExpressions: [{ key: "provider", operator: "NotIn", values: ["onprem"] }],
              },
            },
          ],
          replicaScheduling: {
            replicaSchedulingType: "Divided",
            replicaDivisionPreference: "Weighted",
            weightPreference: { dynamicWeight: "AvailableReplicas" },
          },
        },
        priority: 10,
        preemption: "Always",
        conflictResolution: "Overwrite",
        preserveResourcesOnDeletion: true,
      },
    })) as ClusterPropagationPolicy;
    assert.deepEqual(
      created.spec.placement?.clusterAffinities?.map((a) => a.affinityName),
      ["primary", "backup"],
    );
    assert.equal(created.spec.conflictResolution, "Overwrite");
  });

  test("wrong enums and types are rejected with the fields named", async () => {
    await assertInvalid(
      create(policy("bad-enums", { ...nginx, conflictResolution: "Replace", preemption: "Sometimes" })),
      ["spec.conflictResolution", "spec.preemption"],
    );
    await assertInvalid(create(policy("bad-types", { ...nginx, priority: "high", propagateDeps: "yes" })), [
      "spec.priority",
      "spec.propagateDeps",
    ]);
    await assertInvalid(
      create(
        policy("bad-placement", {
          ...nginx,
          placement: {
            spreadConstraints: [{ spreadByField: "country" }],
            replicaScheduling: {
              replicaSchedulingType: "Spread",
              weightPreference: { staticWeightList: [{ targetCluster: {}, weight: 0 }] },
            },
            clusterAffinity: {
              fieldSelector: { matchExpressions: [{ key: "rack", operator: "Exists", values: [] }] },
            },
          },
        }),
      ),
      [
        "spec.placement.spreadConstraints[0].spreadByField",
        "spec.placement.replicaScheduling.replicaSchedulingType",
        "spec.placement.replicaScheduling.weightPreference.staticWeightList[0].weight",
        "spec.placement.clusterAffinity.fieldSelector.matchExpressions[0].key",
        "spec.placement.clusterAffinity.fieldSelector.matchExpressions[0].operator",
      ],
    );
    await assertInvalid(
      create(policy("bad-failover", { ...nginx, failover: { application: { purgeMode: "Later" } } })),
      ["spec.failover.application.purgeMode", "spec.failover.application.decisionConditions"],
    );
  });

  test("resourceSelectors are required and never empty", async () => {
    await assertInvalid(create(policy("no-selectors", {})), ["spec.resourceSelectors"]);
    await assertInvalid(create(policy("empty-selectors", { resourceSelectors: [] })), [
      "spec.resourceSelectors",
    ]);
    await assertInvalid(
      create(policy("selector-without-kind", { resourceSelectors: [{ apiVersion: "v1" }] })),
      ["spec.resourceSelectors[0].kind"],
    );
  });

  test("rules across fields: exclusive affinities, spread by field or label, unique group names", async () => {
    await assertInvalid(
      create(
        policy("both-affinities", {
          ...nginx,
          placement: { clusterAffinity: {}, clusterAffinities: [{ affinityName: "a" }] },
        }),
      ),
      ["spec.placement"],
    );
    await assertInvalid(
      create(
        policy("both-spreads", {
          ...nginx,
          placement: { spreadConstraints: [{ spreadByField: "zone", spreadByLabel: "rack" }] },
        }),
      ),
      ["spec.placement.spreadConstraints[0]"],
    );
    await assertInvalid(
      create(
        policy("dup-groups", {
          ...nginx,
          placement: { clusterAffinities: [{ affinityName: "a" }, { affinityName: "a" }] },
        }),
      ),
      ["spec.placement.clusterAffinities[1]"],
    );
    await assertInvalid(
      create(
        policy("exists-with-value", {
          ...nginx,
          placement: { clusterTolerations: [{ key: "k", operator: "Exists", value: "v" }] },
        }),
      ),
      ["spec.placement.clusterTolerations[0]"],
    );
  });

  test("kubectl explain reads the placement schema", async () => {
    const result = await hub.kubectl(["explain", "propagationpolicies.spec.placement"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /KIND:\s+PropagationPolicy/);
    for (const field of [
      "clusterAffinities",
      "clusterAffinity",
      "clusterTolerations",
      "replicaScheduling",
      "spreadConstraints",
    ]) {
      assert.match(result.stdout, new RegExp(`^  ${field}\\s`, "m"), `no ${field} in:\n${result.stdout}`);
    }
    const nested = await hub.kubectl([
      "explain",
      "pp.spec.placement.replicaScheduling.replicaSchedulingType",
    ]);
    assert.equal(nested.code, 0, nested.stderr);
    assert.match(nested.stdout, /ENUM:\s+Duplicated\s+Divided\n/);
  });

  test("kubectl get shows conflict resolution and priority by short name", async () => {
    const pp = await hub.kubectl(["get", "pp", "nginx", "-n", "default"]);
    assert.equal(pp.code, 0, pp.stderr);
    assert.match(pp.stdout, /^NAME\s+CONFLICT-RESOLUTION\s+PRIORITY\s+AGE\nnginx\s+Abort\s+0\s+\d+s\n$/);
    const cpp = await hub.kubectl(["get", "cpp"]);
    assert.match(cpp.stdout, /crds-everywhere\s+Overwrite\s+10\s/);
  });
});
