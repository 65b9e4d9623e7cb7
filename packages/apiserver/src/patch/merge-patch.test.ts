import assert from "node:assert/strict";
import { test } from "node:test";
import { StatusError } from "../api/errors.ts";
import { applyMergePatch } from "./merge-patch.ts";

test("the examples of RFC 7386 appendix A", () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: "b" }, { a: "c" }, { a: "c" }],
    [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
    [{ a: "b" }, { a: null }, {}],
    [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
    [{ a: ["b"] }, { a: "c" }, { a: "c" }],
    [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
    [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
    [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
    [
      ["a", "b"],
      ["c", "d"],
      ["c", "d"],
    ],
    [{ a: "b" }, ["c"], ["c"]],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: "b", c: null }, { a: "b" }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [document, patch, expected] of cases) {
    assert.deepEqual(applyMergePatch(document, patch), expected, JSON.stringify([document, patch]));
  }
});

test("kubectl label, annotate and scale bodies", () => {
  const configMap = { metadata: { name: "cfg", labels: { a: "1" } }, data: { k: "v" } };
  assert.deepEqual(applyMergePatch(configMap, { metadata: { labels: { a: null, b: "2" } } }), {
    metadata: { name: "cfg", labels: { b: "2" } },
    data: { k: "v" },
  });
  const deployment = { metadata: { name: "web" }, spec: { replicas: 2 } };
  assert.deepEqual(applyMergePatch(deployment, { metadata: { annotations: { note: "hello" } } }), {
    metadata: { name: "web", annotations: { note: "hello" } },
    spec: { replicas: 2 },
  });
  const scale = { kind: "Scale", spec: { replicas: 2 }, status: { replicas: 2 } };
  assert.deepEqual(applyMergePatch(scale, { spec: { replicas: 5 } }), {
    kind: "Scale",
    spec: { replicas: 5 },
    status: { replicas: 2 },
  });
});

test("like kube-apiserver, nulls are pruned from objects inside newly set arrays", () => {
  assert.deepEqual(applyMergePatch({}, { list: [{ a: 1, b: null }, null] }), { list: [{ a: 1 }, null] });
});

test("the input is not modified", () => {
  const input = { a: { b: 1 } };
  applyMergePatch(input, { a: { b: 2, c: 3 } });
  assert.deepEqual(input, { a: { b: 1 } });
});

test("a null or scalar body fails as kube-apiserver does", () => {
  for (const body of [null, 5, "x"]) {
    assert.throws(
      () => applyMergePatch({ a: 1 }, body),
      (e: unknown) => e instanceof StatusError && e.code === 500 && e.message === "Invalid JSON Patch",
    );
  }
});
