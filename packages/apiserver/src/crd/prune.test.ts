import assert from "node:assert/strict";
import { test } from "node:test";
import { applyDefaults } from "./defaults.ts";
import { memberClusterSchema } from "./member-cluster.fixture.ts";
import { pruneUnknown, unknownFieldMessage, unknownFields } from "./prune.ts";

const object = {
  apiVersion: "cluster.atoll.io/v1alpha1",
  kind: "MemberCluster",
  metadata: { name: "eu-1", labels: { env: "prod" }, bogus: true, ownerReferences: [{ uid: "u", extra: 1 }] },
  spec: {
    endpoint: "https://eu-1",
    typo: 3,
    taints: [{ key: "a", color: "red" }],
    settings: { mode: "fast", anything: { goes: [1] } },
    template: { apiVersion: "v1", kind: "Pod", metadata: { name: "p", nope: 1 }, spec: { containers: [] } },
  },
  status: { phase: "Ready", extra: "x" },
  topLevel: 1,
};

test("pruneUnknown drops undeclared fields and keeps type meta", () => {
  assert.deepEqual(pruneUnknown(object, memberClusterSchema()), {
    apiVersion: "cluster.atoll.io/v1alpha1",
    kind: "MemberCluster",
    metadata: { name: "eu-1", labels: { env: "prod" }, ownerReferences: [{ uid: "u" }] },
    spec: {
      endpoint: "https://eu-1",
      taints: [{ key: "a" }],
      settings: { mode: "fast", anything: { goes: [1] } },
      template: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [] } },
    },
    status: { phase: "Ready" },
  });
  assert.equal((object.spec as Record<string, unknown>).typo, 3, "input untouched");
});

test("unknownFields lists what pruning drops, as Strict field validation reports it", () => {
  assert.deepEqual(unknownFields(object, memberClusterSchema()), [
    "metadata.bogus",
    "metadata.ownerReferences[0].extra",
    "spec.typo",
    "spec.taints[0].color",
    "spec.template.metadata.nope",
    "status.extra",
    "topLevel",
  ]);
  assert.equal(unknownFieldMessage("spec.typo"), 'unknown field "spec.typo"');
});

test("type meta is kept even when the schema does not declare it", () => {
  const schema = { type: "object", properties: { spec: { type: "object" } } };
  assert.deepEqual(pruneUnknown({ apiVersion: "a/v1", kind: "K", metadata: { name: "n" }, x: 1 }, schema), {
    apiVersion: "a/v1",
    kind: "K",
    metadata: { name: "n" },
  });
});

test("applyDefaults fills absent fields only inside existing parents", () => {
  const schema = memberClusterSchema();
  assert.deepEqual(applyDefaults({ apiVersion: "a/v1", kind: "K" }, schema), {
    apiVersion: "a/v1",
    kind: "K",
  });
  assert.deepEqual(
    applyDefaults(
      { spec: { endpoint: "https://x", replicas: 3, taints: [{ key: "a" }, { key: "b", effect: "X" }] } },
      schema,
    ),
    {
      spec: {
        endpoint: "https://x",
        replicas: 3,
        minReplicas: 0,
        taints: [
          { key: "a", effect: "NoSchedule" },
          { key: "b", effect: "X" },
        ],
      },
    },
  );
});

test("a defaulted parent gets its children's defaults; non-nullable nulls are defaulted or dropped", () => {
  const schema = {
    type: "object",
    properties: {
      spec: {
        type: "object",
        default: {},
        properties: {
          size: { type: "integer", default: 3 },
          name: { type: "string" },
          note: { type: "string", nullable: true },
        },
      },
    },
  };
  assert.deepEqual(applyDefaults({}, schema), { spec: { size: 3 } });
  assert.deepEqual(applyDefaults({ spec: { size: null, name: null, note: null } }, schema), {
    spec: { size: 3, note: null },
  });
});
