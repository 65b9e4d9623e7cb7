import assert from "node:assert/strict";
import { test } from "node:test";
import { applyPatch } from "./apply.ts";
import { deploymentShape, nginxDeployment, resolver } from "./fixtures.ts";
import { isObject, type JsonObject } from "./json-value.ts";
import { MAX_UPDATE_MANAGERS, trackUpdate } from "./update.ts";

const t0 = new Date("2024-05-01T10:20:30.456Z");
const t1 = new Date("2024-05-01T10:25:00Z");

function update(
  previous: JsonObject | undefined,
  updated: JsonObject,
  manager: string,
  options: { now?: Date; subresource?: string } = {},
): JsonObject {
  return trackUpdate({
    previous,
    updated,
    manager,
    shape: deploymentShape,
    resolver,
    now: options.now ?? t0,
    subresource: options.subresource,
    apiVersion: "apps/v1",
  });
}

function managedFields(object: JsonObject): JsonObject[] {
  const metadata = object.metadata;
  if (!isObject(metadata) || !Array.isArray(metadata.managedFields)) return [];
  return metadata.managedFields.filter(isObject);
}

function withReplicas(object: JsonObject, replicas: number): JsonObject {
  const copy = structuredClone(object);
  (copy.spec as JsonObject).replicas = replicas;
  return copy;
}

test("a create records every field the writer set, with `.` for items and maps it added", () => {
  const created = update(undefined, nginxDeployment(), "kubectl-create");
  assert.deepEqual(managedFields(created), [
    {
      manager: "kubectl-create",
      operation: "Update",
      apiVersion: "apps/v1",
      time: "2024-05-01T10:20:30Z",
      fieldsType: "FieldsV1",
      fieldsV1: {
        "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
        "f:spec": {
          ".": {},
          "f:replicas": {},
          "f:selector": {},
          "f:template": {
            ".": {},
            "f:metadata": { ".": {}, "f:labels": { ".": {}, "f:app": {} } },
            "f:spec": {
              ".": {},
              "f:containers": {
                ".": {},
                'k:{"name":"nginx"}': {
                  ".": {},
                  "f:image": {},
                  "f:name": {},
                  "f:ports": {
                    ".": {},
                    'k:{"containerPort":80,"protocol":"TCP"}': {
                      ".": {},
                      "f:containerPort": {},
                      "f:protocol": {},
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  ]);
});

test("an update takes only what it changed; a writer left with nothing is dropped", () => {
  const created = update(undefined, nginxDeployment(), "kubectl-create");
  const scaled = update(created, withReplicas(created, 5), "kube-controller-manager", { now: t1 });
  const [creator, scaler] = managedFields(scaled);
  assert.equal(creator.manager, "kubectl-create");
  assert.ok(!JSON.stringify(creator.fieldsV1).includes("f:replicas"));
  assert.deepEqual(scaler, {
    manager: "kube-controller-manager",
    operation: "Update",
    apiVersion: "apps/v1",
    time: "2024-05-01T10:25:00Z",
    fieldsType: "FieldsV1",
    fieldsV1: { "f:spec": { "f:replicas": {} } },
  });

  const rescaled = update(scaled, withReplicas(scaled, 6), "hpa", { now: t1 });
  assert.deepEqual(
    managedFields(rescaled).map((e) => e.manager),
    ["kubectl-create", "hpa"],
  );
});

test("a write that changes nothing keeps every entry and its time", () => {
  const created = update(undefined, nginxDeployment(), "kubectl-create");
  assert.deepEqual(update(created, structuredClone(created), "kubectl-edit", { now: t1 }), created);
});

test("removing a field takes it out of every entry", () => {
  const created = applyPatch({
    live: undefined,
    applied: nginxDeployment(),
    manager: "kubectl",
    force: false,
    shape: deploymentShape,
    resolver,
    now: t0,
    apiVersion: "apps/v1",
  }).object;
  const edited = structuredClone(created);
  delete (edited.spec as JsonObject).replicas;
  const updated = update(created, edited, "kubectl-edit", { now: t1 });
  assert.deepEqual(
    managedFields(updated).map((e) => e.manager),
    ["kubectl"],
  );
  assert.ok(!JSON.stringify(managedFields(updated)[0].fieldsV1).includes("f:replicas"));
});

test("`managedFields: []` clears ownership, and later writes do not start tracking again", () => {
  const created = update(undefined, nginxDeployment(), "kubectl-create");
  const reset = withReplicas(created, 4);
  (reset.metadata as JsonObject).managedFields = [];
  const cleared = update(created, reset, "kubectl-edit", { now: t1 });
  assert.ok(!("managedFields" in (cleared.metadata as JsonObject)));
  assert.equal((cleared.spec as JsonObject).replicas, 4);
  const later = update(cleared, withReplicas(cleared, 2), "kubectl-edit", { now: t1 });
  assert.ok(!("managedFields" in (later.metadata as JsonObject)));
});

test("managedFields a client sends are honoured; invalid ones give way to the stored ones", () => {
  const created = update(undefined, nginxDeployment(), "kubectl-create");
  const handEdited = structuredClone(created);
  (handEdited.metadata as JsonObject).managedFields = [
    {
      manager: "someone-else",
      operation: "Update",
      apiVersion: "apps/v1",
      time: "2024-01-01T00:00:00Z",
      fieldsType: "FieldsV1",
      fieldsV1: { "f:spec": { "f:replicas": {} } },
    },
  ];
  const honoured = update(created, handEdited, "kubectl-edit", { now: t1 });
  assert.deepEqual(
    managedFields(honoured).map((e) => e.manager),
    ["someone-else"],
  );

  const mangled = structuredClone(created);
  (mangled.metadata as JsonObject).managedFields = [{ manager: "x", operation: "Sideways" }];
  assert.deepEqual(update(created, mangled, "kubectl-edit", { now: t1 }), created);
});

test("a subresource write ignores the client's managedFields and is recorded with its subresource", () => {
  const created = update(undefined, nginxDeployment(), "kubectl-create");
  const status = structuredClone(created);
  status.status = { replicas: 3 };
  (status.metadata as JsonObject).managedFields = [];
  const reported = update(created, status, "kube-controller-manager", { now: t1, subresource: "status" });
  const entries = managedFields(reported);
  assert.equal(entries.length, 2);
  assert.deepEqual(entries[1], {
    manager: "kube-controller-manager",
    operation: "Update",
    apiVersion: "apps/v1",
    time: "2024-05-01T10:25:00Z",
    fieldsType: "FieldsV1",
    fieldsV1: { "f:status": { ".": {}, "f:replicas": {} } },
    subresource: "status",
  });
});

test("more than ten updaters fold the oldest into ancient-changes", () => {
  let object = update(undefined, nginxDeployment(), "creator");
  for (let i = 0; i < MAX_UPDATE_MANAGERS + 1; i++) {
    const next = structuredClone(object);
    ((next.metadata as JsonObject).labels as JsonObject)[`l${i}`] = "x";
    object = update(object, next, `writer-${i}`, { now: new Date(t1.getTime() + i * 1000) });
  }
  const managers = managedFields(object).map((e) => e.manager);
  assert.equal(managers.length, MAX_UPDATE_MANAGERS);
  assert.ok(managers.includes("ancient-changes"));
  assert.ok(!managers.includes("creator") && !managers.includes("writer-0"));
  const ancient = managedFields(object).find((e) => e.manager === "ancient-changes");
  const fields = JSON.stringify(ancient?.fieldsV1);
  assert.ok(fields.includes("f:replicas") && fields.includes("f:l0"));
});
