import assert from "node:assert/strict";
import { test } from "node:test";
import {
  apply,
  applyError,
  deploymentShape,
  entry,
  managedFields,
  nginxDeployment,
  resolver,
  spec,
  t0,
  t1,
  t2,
} from "./fixtures.ts";
import { isObject, type JsonObject } from "./json-value.ts";
import { trackUpdate } from "./update.ts";

test("an apply creates the object and records the applier's fields as kubectl shows them", () => {
  const created = apply(undefined, nginxDeployment(), "kubectl");
  const { metadata, ...rest } = created;
  const { managedFields: _, ...meta } = isObject(metadata) ? metadata : {};
  assert.deepEqual({ ...rest, metadata: meta }, nginxDeployment());
  assert.deepEqual(managedFields(created), [
    {
      manager: "kubectl",
      operation: "Apply",
      apiVersion: "apps/v1",
      time: "2024-05-01T10:20:30Z",
      fieldsType: "FieldsV1",
      fieldsV1: {
        "f:metadata": { "f:labels": { "f:app": {} } },
        "f:spec": {
          "f:replicas": {},
          "f:selector": {},
          "f:template": {
            "f:metadata": { "f:labels": { "f:app": {} } },
            "f:spec": {
              "f:containers": {
                'k:{"name":"nginx"}': {
                  ".": {},
                  "f:image": {},
                  "f:name": {},
                  "f:ports": {
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
  assert.deepEqual(Object.keys(entry(created, "kubectl")), [
    "manager",
    "operation",
    "apiVersion",
    "time",
    "fieldsType",
    "fieldsV1",
  ]);
});

test("re-applying the same configuration changes nothing, not even the time", () => {
  const created = apply(undefined, nginxDeployment(), "kubectl");
  const again = apply(created, nginxDeployment(), "kubectl", { now: t1 });
  assert.deepEqual(again, created);
});

test("changing a field another applier owns is a conflict naming the owner", () => {
  const created = apply(undefined, nginxDeployment(), "kubectl");
  const error = applyError(created, { ...nginxDeployment({ replicas: 5 }) }, "autoscaler");
  assert.equal(error.code, 409);
  assert.equal(error.reason, "Conflict");
  assert.equal(error.message, 'Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas');
  assert.deepEqual(error.details?.causes, [
    { reason: "FieldManagerConflict", message: 'conflict with "kubectl"', field: ".spec.replicas" },
  ]);
});

test("a conflict with an Update owner names its API version, several conflicts are listed per manager", () => {
  const created = trackUpdate({
    previous: undefined,
    updated: nginxDeployment(),
    manager: "kubectl-client-side-apply",
    shape: deploymentShape,
    resolver,
    now: t0,
    apiVersion: "apps/v1",
  });
  const one = applyError(created, nginxDeployment({ replicas: 5 }), "kubectl");
  assert.equal(
    one.message,
    'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
  );
  assert.deepEqual(one.details?.causes, [
    {
      reason: "FieldManagerConflict",
      message: 'conflict with "kubectl-client-side-apply" using apps/v1',
      field: ".spec.replicas",
    },
  ]);
  const two = applyError(created, nginxDeployment({ replicas: 5, image: "nginx:1.25" }), "kubectl");
  assert.equal(
    two.message,
    'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n' +
      "- .spec.replicas\n" +
      '- .spec.template.spec.containers[name="nginx"].image',
  );
  assert.equal(two.details?.causes?.length, 2);
});

test("force takes the conflicting fields from their owner", () => {
  const created = apply(undefined, nginxDeployment(), "kubectl");
  const forced = apply(
    created,
    { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "nginx" }, spec: { replicas: 5 } },
    "autoscaler",
    { force: true, now: t1 },
  );
  assert.equal(spec(forced).replicas, 5);
  assert.deepEqual(entry(forced, "autoscaler").fieldsV1, { "f:spec": { "f:replicas": {} } });
  const kubectl = entry(forced, "kubectl").fieldsV1;
  assert.ok(isObject(kubectl) && isObject(kubectl["f:spec"]) && !("f:replicas" in kubectl["f:spec"]));
  // kubectl no longer owns replicas, so applying its old value conflicts the other way.
  const back = applyError(forced, nginxDeployment(), "kubectl");
  assert.match(back.message, /conflict with "autoscaler": \.spec\.replicas$/);
});

test("applying the same value as another applier shares the field instead of conflicting", () => {
  const created = apply(undefined, nginxDeployment(), "kubectl");
  const shared = apply(
    created,
    { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "nginx" }, spec: { replicas: 3 } },
    "helm",
    { now: t1 },
  );
  assert.equal(spec(shared).replicas, 3);
  // A no-op apply records ownership but no time, as kube-apiserver does.
  assert.deepEqual(entry(shared, "helm"), {
    manager: "helm",
    operation: "Apply",
    apiVersion: "apps/v1",
    fieldsType: "FieldsV1",
    fieldsV1: { "f:spec": { "f:replicas": {} } },
  });
});

test("a field dropped from the configuration is removed from the object", () => {
  const created = apply(undefined, nginxDeployment(), "kubectl");
  const config = nginxDeployment();
  delete (config.spec as JsonObject).replicas;
  (config.metadata as JsonObject).labels = { tier: "web" };
  const updated = apply(created, config, "kubectl", { now: t1 });
  assert.ok(!("replicas" in spec(updated)));
  assert.deepEqual((updated.metadata as JsonObject).labels, { tier: "web" });
  assert.equal(entry(updated, "kubectl").time, "2024-05-01T10:25:00Z");
});

test("a field two appliers own survives when one of them stops applying it", () => {
  const created = apply(undefined, nginxDeployment(), "kubectl");
  const helm = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "nginx" },
    spec: { replicas: 3 },
  };
  const shared = apply(created, helm, "helm", { now: t1 });
  const config = nginxDeployment();
  delete (config.spec as JsonObject).replicas;
  const kept = apply(shared, config, "kubectl", { now: t2 });
  assert.equal(spec(kept).replicas, 3);
  // Once helm lets go too, nobody owns it and it goes.
  const gone = apply(kept, { ...helm, spec: { paused: false } }, "helm", { now: t2 });
  assert.ok(!("replicas" in spec(gone)));
});

test("an Update after an Apply moves the changed field to the updater", () => {
  const created = apply(undefined, nginxDeployment(), "kubectl");
  const edited = structuredClone(created);
  (edited.spec as JsonObject).replicas = 7;
  const updated = trackUpdate({
    previous: created,
    updated: edited,
    manager: "kubectl-edit",
    shape: deploymentShape,
    resolver,
    now: t1,
    apiVersion: "apps/v1",
  });
  assert.deepEqual(entry(updated, "kubectl-edit"), {
    manager: "kubectl-edit",
    operation: "Update",
    apiVersion: "apps/v1",
    time: "2024-05-01T10:25:00Z",
    fieldsType: "FieldsV1",
    fieldsV1: { "f:spec": { "f:replicas": {} } },
  });
  const applied = entry(updated, "kubectl").fieldsV1 as { "f:spec": JsonObject };
  assert.ok(!("f:replicas" in applied["f:spec"]));
  assert.equal(managedFields(updated)[0], entry(updated, "kubectl"), "Apply entries come first");

  const error = applyError(updated, nginxDeployment(), "kubectl");
  assert.equal(
    error.message,
    'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas',
  );
});
