import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { KubeObject } from "@atoll/kube";
import { CLUSTER_OVERRIDE_POLICIES, OVERRIDE_POLICIES, type OverridePolicy } from "./override-policy.ts";
import { assertInvalid, startTestHub, type TestHub } from "./test-hub.fixture.ts";

const apiVersion = `${OVERRIDE_POLICIES.group}/${OVERRIDE_POLICIES.version}`;

function overridePolicy(name: string, overriders: Record<string, unknown>): KubeObject {
  return {
    apiVersion,
    kind: "OverridePolicy",
    metadata: { name, namespace: "default" },
    spec: { overrideRules: [{ overriders }] },
  };
}

describe("OverridePolicy and ClusterOverridePolicy CRDs", () => {
  let hub: TestHub;
  const create = (object: KubeObject) => hub.client.create(OVERRIDE_POLICIES, "default", object);
  before(async () => {
    hub = await startTestHub();
  });
  after(async () => {
    await hub.stop();
  });

  test("every overrider kind is accepted and kept as written", async () => {
    const rules = [
      {
        targetCluster: { clusterNames: ["member1"] },
        overriders: {
          imageOverrider: [
            { component: "Registry", operator: "replace", value: "registry.eu.example.com" },
            {
              predicate: { path: "/spec/template/spec/containers/0/image" },
              component: "Tag",
              operator: "replace",
              value: "1.25-alpine",
            },
          ],
          commandOverrider: [{ containerName: "nginx", operator: "add", value: ["--debug"] }],
          argsOverrider: [{ containerName: "nginx", operator: "remove", value: ["--verbose"] }],
          labelsOverrider: [{ operator: "add", value: { region: "eu" } }],
          annotationsOverrider: [{ operator: "remove", value: { "example.com/legacy": "" } }],
          plaintext: [
            {
              path: "/spec/template/spec/nodeSelector",
              operator: "add",
              value: { "topology.kubernetes.io/zone": "eu-1a" },
            },
            { path: "/metadata/annotations", operator: "remove" },
          ],
        },
      },
      {
        targetCluster: {
          labelSelector: { matchExpressions: [{ key: "env", operator: "In", values: ["prod"] }] },
        },
        overriders: { imageOverrider: [{ component: "Registry", operator: "remove" }] },
      },
    ];
    const created = (await create({
      apiVersion,
      kind: "OverridePolicy",
      metadata: { name: "nginx-eu", namespace: "default" },
      spec: {
        resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment", name: "nginx" }],
        overrideRules: rules,
      },
    })) as OverridePolicy;
    assert.deepEqual(created.spec.overrideRules, rules);
  });

  test("a cluster-wide policy without resourceSelectors applies to everything", async () => {
    const created = await hub.client.create(CLUSTER_OVERRIDE_POLICIES, undefined, {
      apiVersion,
      kind: "ClusterOverridePolicy",
      metadata: { name: "mirror-registry" },
      spec: {
        overrideRules: [
          {
            overriders: {
              imageOverrider: [{ component: "Registry", operator: "replace", value: "mirror.local" }],
            },
          },
        ],
      },
    });
    assert.equal(created.metadata.namespace, undefined);
    const listed = await hub.kubectl(["get", "cop", "-o", "name"]);
    assert.equal(listed.stdout.trim(), "clusteroverridepolicy.policy.atoll.io/mirror-registry");
  });

  test("wrong enums and types are rejected with the fields named", async () => {
    await assertInvalid(
      create(
        overridePolicy("bad-image", {
          imageOverrider: [{ component: "Digest", operator: "update", value: "sha256:0" }],
        }),
      ),
      [
        "spec.overrideRules[0].overriders.imageOverrider[0].component",
        "spec.overrideRules[0].overriders.imageOverrider[0].operator",
      ],
    );
    await assertInvalid(
      create(
        overridePolicy("bad-command", {
          commandOverrider: [{ containerName: "nginx", operator: "replace", value: "--debug" }],
        }),
      ),
      [
        "spec.overrideRules[0].overriders.commandOverrider[0].operator",
        "spec.overrideRules[0].overriders.commandOverrider[0].value",
      ],
    );
    await assertInvalid(
      create(overridePolicy("bad-labels", { labelsOverrider: [{ operator: "add", value: { n: 1 } }] })),
      ["spec.overrideRules[0].overriders.labelsOverrider[0].value.n"],
    );
    await assertInvalid(create(overridePolicy("no-container", { argsOverrider: [{ operator: "add" }] })), [
      "spec.overrideRules[0].overriders.argsOverrider[0].containerName",
    ]);
    await assertInvalid(
      create({
        apiVersion,
        kind: "OverridePolicy",
        metadata: { name: "no-overriders", namespace: "default" },
        spec: { overrideRules: [{}] },
      }),
      ["spec.overrideRules[0].overriders"],
    );
  });

  test("add and replace need a value (remove, above, does not)", async () => {
    await assertInvalid(
      create(
        overridePolicy("replace-nothing", { imageOverrider: [{ component: "Tag", operator: "replace" }] }),
      ),
      ["spec.overrideRules[0].overriders.imageOverrider[0]"],
    );
    await assertInvalid(
      create(overridePolicy("add-nothing", { plaintext: [{ path: "/spec/x", operator: "add" }] })),
      ["spec.overrideRules[0].overriders.plaintext[0]"],
    );
  });

  test("plaintext values may be any JSON, as in Kubernetes", async () => {
    await create(
      overridePolicy("scalar", { plaintext: [{ path: "/spec/replicas", operator: "replace", value: 3 }] }),
    );
  });
});
