import assert from "node:assert/strict";
import { test } from "node:test";
import { apply, applyError, container, entry, nginxDeployment, spec, t1, t2 } from "./fixtures.ts";
import type { JsonObject } from "./json-value.ts";

test("containers merge and leave by key, keeping the other applier's items", () => {
  const created = apply(undefined, nginxDeployment(), "kubectl");
  const sidecar = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "nginx" },
    spec: {
      template: {
        spec: {
          containers: [
            { name: "nginx", ports: [{ containerPort: 9090, protocol: "TCP" }] },
            { name: "proxy", image: "envoy:1" },
          ],
        },
      },
    },
  };
  const merged = apply(created, sidecar, "mesh", { now: t1 });
  const containers = (spec(merged).template as { spec: { containers: JsonObject[] } }).spec.containers;
  assert.deepEqual(
    containers.map((c) => c.name),
    ["nginx", "proxy"],
  );
  assert.deepEqual(container(merged).ports, [
    { containerPort: 80, protocol: "TCP" },
    { containerPort: 9090, protocol: "TCP" },
  ]);
  assert.equal(container(merged).image, "nginx:1.14.2");

  // The mesh stops applying its port and its container: only its items go.
  const withdrawn = apply(
    merged,
    { ...sidecar, spec: { template: { spec: { containers: [{ name: "nginx" }] } } } },
    "mesh",
    { now: t2 },
  );
  const left = (spec(withdrawn).template as { spec: { containers: JsonObject[] } }).spec.containers;
  assert.deepEqual(left, [
    { name: "nginx", image: "nginx:1.14.2", ports: [{ containerPort: 80, protocol: "TCP" }] },
  ]);
});

test("an associative-list key missing from the configuration takes the shape's default", () => {
  const created = apply(undefined, nginxDeployment(), "kubectl");
  const again = nginxDeployment();
  ((again.spec as JsonObject).template as { spec: { containers: JsonObject[] } }).spec.containers[0].ports = [
    { containerPort: 80 },
  ];
  const reapplied = apply(created, again, "kubectl", { now: t1 });
  // Same item, not a second port; `protocol` is no longer applied, so it goes (defaulting puts it back).
  assert.deepEqual(container(reapplied).ports, [{ containerPort: 80 }]);
  const fields = JSON.stringify(entry(reapplied, "kubectl").fieldsV1);
  assert.ok(
    fields.includes('"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{}}'),
  );
});

test("sets merge by value, atomic lists and atomic structs are owned and replaced whole", () => {
  const base = nginxDeployment();
  (base.metadata as JsonObject).finalizers = ["a.example/x"];
  const created = apply(undefined, base, "kubectl");
  const other = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "nginx", finalizers: ["b.example/y"] },
  };
  const both = apply(created, other, "guard", { now: t1 });
  assert.deepEqual((both.metadata as JsonObject).finalizers, ["a.example/x", "b.example/y"]);
  assert.deepEqual(entry(both, "guard").fieldsV1, {
    "f:metadata": { "f:finalizers": { 'v:"b.example/y"': {} } },
  });

  const args = structuredClone(nginxDeployment());
  const argsContainer = ((args.spec as JsonObject).template as { spec: { containers: JsonObject[] } }).spec
    .containers[0];
  argsContainer.args = ["--a", "--b"];
  const withArgs = apply(created, args, "kubectl", { now: t1 });
  argsContainer.args = ["--c"];
  const replaced = apply(withArgs, args, "kubectl", { now: t2 });
  assert.deepEqual(container(replaced).args, ["--c"]);

  const selector = applyError(
    replaced,
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "nginx" },
      spec: { selector: { matchLabels: { x: "y" } } },
    },
    "intruder",
  );
  assert.match(selector.message, /\.spec\.selector$/);
});

test("an untyped field is tracked key by key, with its arrays atomic", () => {
  const config = nginxDeployment();
  (config.spec as JsonObject).extra = { tuning: { level: 3 }, tags: ["a", "b"] };
  const created = apply(undefined, config, "kubectl");
  const fields = entry(created, "kubectl").fieldsV1 as { "f:spec": JsonObject };
  assert.deepEqual(fields["f:spec"]["f:extra"], {
    "f:tags": {},
    "f:tuning": { ".": {}, "f:level": {} },
  });
});

test("a subresource applier is its own manager and is named with its subresource", () => {
  const created = apply(undefined, nginxDeployment(), "kubectl");
  const status = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "nginx" },
    status: { replicas: 3 },
  };
  const reported = apply(created, status, "controller", { subresource: "status", now: t1 });
  assert.equal(entry(reported, "controller").subresource, "status");
  const error = applyError(reported, { ...status, status: { replicas: 1 } }, "other");
  assert.match(error.message, /conflict with "controller" with subresource "status": \.status\.replicas$/);
});

test("apply bodies with managedFields or another version are bad requests", () => {
  const withManaged = nginxDeployment();
  (withManaged.metadata as JsonObject).managedFields = [];
  assert.throws(() => apply(undefined, withManaged, "kubectl"), {
    reason: "BadRequest",
    message: "metadata.managedFields must be nil",
  });
  assert.throws(() => apply(undefined, { ...nginxDeployment(), apiVersion: "apps/v1beta1" }, "kubectl"), {
    reason: "BadRequest",
    message: "invalid object type: apps/v1beta1, Kind=Deployment",
  });
});

test("kubectl's server-side apply keeps an existing last-applied annotation in step", () => {
  const annotated = nginxDeployment();
  (annotated.metadata as JsonObject).annotations = {
    "kubectl.kubernetes.io/last-applied-configuration": '{"old":true}\n',
  };
  const created = apply(undefined, annotated, "kubectl");
  const annotations = (created.metadata as JsonObject).annotations as JsonObject;
  const value = annotations["kubectl.kubernetes.io/last-applied-configuration"];
  assert.equal(typeof value, "string");
  assert.ok(String(value).endsWith("\n"));
  const expected = nginxDeployment();
  // As kube-apiserver encodes it: the annotation removed from its map, the emptied map kept.
  (expected.metadata as JsonObject).annotations = {};
  assert.deepEqual(JSON.parse(String(value)), expected);
  assert.ok(
    String(value).startsWith('{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{}'),
  );
});
