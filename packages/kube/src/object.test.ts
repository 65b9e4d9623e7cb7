import assert from "node:assert/strict";
import { test } from "node:test";
import { cloneJson, jsonEqual } from "./object.ts";

test("cloneJson copies every level, so changing the copy leaves the original alone", () => {
  const original = {
    metadata: { name: "web", labels: { app: "web" }, finalizers: ["a"] },
    spec: { replicas: 2, template: { spec: { containers: [{ name: "main", ports: [{ port: 80 }] }] } } },
    status: null,
  };
  const copy = cloneJson(original);
  assert.deepEqual(copy, original);
  copy.metadata.labels.app = "changed";
  copy.metadata.finalizers.push("b");
  copy.spec.template.spec.containers[0].ports[0].port = 8080;
  assert.equal(original.metadata.labels.app, "web");
  assert.deepEqual(original.metadata.finalizers, ["a"]);
  assert.equal(original.spec.template.spec.containers[0].ports[0].port, 80);
});

test("cloneJson keeps primitives, empty containers and undefined properties as structuredClone does", () => {
  for (const value of [0, "", "x", true, false, null, undefined, [], {}, [[]], { a: {} }]) {
    assert.deepEqual(cloneJson(value), structuredClone(value));
  }
  const withUndefined = { a: undefined, b: [undefined, 1] };
  const copy = cloneJson(withUndefined);
  assert.ok(Object.hasOwn(copy, "a"));
  assert.deepEqual(copy, structuredClone(withUndefined));
  assert.ok(jsonEqual(copy, withUndefined));
});
