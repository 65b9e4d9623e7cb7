import assert from "node:assert/strict";
import { test } from "node:test";
import { JsonPathSyntaxError, parseJsonPath } from "./jsonpath.ts";

const widget = {
  metadata: { name: "w1", labels: { app: "shop", "app.kubernetes.io/name": "widget" } },
  spec: {
    replicas: 3,
    paused: false,
    ports: [
      { name: "http", port: 80 },
      { name: "https", port: 443 },
    ],
  },
  status: {
    phase: "Ready",
    conditions: [
      { type: "Synced", status: "True" },
      { type: "Ready", status: "False", reason: "Waiting" },
    ],
    nothing: null,
  },
};

const evaluate = (path: string) => parseJsonPath(path).evaluate(widget);

test("fields, labels and bracketed keys", () => {
  assert.deepEqual(evaluate(".status.phase"), ["Ready"]);
  assert.deepEqual(evaluate(".spec.replicas"), [3]);
  assert.deepEqual(evaluate(".spec.paused"), [false]);
  assert.deepEqual(evaluate(".metadata.labels.app"), ["shop"]);
  assert.deepEqual(evaluate(".metadata.labels['app.kubernetes.io/name']"), ["widget"]);
  assert.deepEqual(evaluate('.metadata.labels["app.kubernetes.io/name"]'), ["widget"]);
  assert.deepEqual(evaluate(".metadata.labels.app\\.kubernetes\\.io/name"), ["widget"]);
  assert.deepEqual(evaluate("{.status.phase}"), ["Ready"]);
  assert.deepEqual(evaluate("$.status.phase"), ["Ready"]);
  assert.deepEqual(evaluate(".status.nothing"), [null]);
});

test("indexes, wildcards and filters", () => {
  assert.deepEqual(evaluate(".spec.ports[0].port"), [80]);
  assert.deepEqual(evaluate(".spec.ports[-1].name"), ["https"]);
  assert.deepEqual(evaluate(".spec.ports[*].port"), [80, 443]);
  assert.deepEqual(evaluate(".spec.ports.*.name"), ["http", "https"]);
  assert.deepEqual(evaluate('.status.conditions[?(@.type=="Ready")].status'), ["False"]);
  assert.deepEqual(evaluate(".status.conditions[?(@.type == 'Synced')].status"), ["True"]);
  assert.deepEqual(evaluate('.status.conditions[?(@.type!="Ready")].type'), ["Synced"]);
  assert.deepEqual(evaluate(".status.conditions[?(@.reason)].reason"), ["Waiting"]);
  assert.deepEqual(evaluate(".spec.ports[?(@.port>100)].name"), ["https"]);
});

test("missing paths find nothing", () => {
  assert.deepEqual(evaluate(".status.missing"), []);
  assert.deepEqual(evaluate(".status.phase.deeper"), []);
  assert.deepEqual(evaluate(".spec.ports[5].port"), []);
  assert.deepEqual(evaluate(".spec.ports.name"), []);
  assert.deepEqual(evaluate('.status.conditions[?(@.type=="Gone")].status'), []);
  assert.deepEqual(evaluate(".status.nothing.deeper"), []);
});

test("unsupported syntax is refused when parsed", () => {
  for (const path of ["status.phase", "..name", ".a[", ".a[?(x)]", ".a[1:2]", ".a b"]) {
    assert.throws(() => parseJsonPath(path), JsonPathSyntaxError, path);
  }
});
