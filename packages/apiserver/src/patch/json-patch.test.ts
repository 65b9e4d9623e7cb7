import assert from "node:assert/strict";
import { test } from "node:test";
import { StatusError } from "../api/errors.ts";
import { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS } from "./json-patch.ts";

const doc = () => ({
  metadata: { name: "web", labels: { app: "web" }, annotations: { "example.com/a~b": "1" } },
  spec: { replicas: 2, containers: [{ name: "a" }, { name: "b" }] },
});

function invalid(document: unknown, patch: unknown, cause: RegExp): void {
  assert.throws(
    () => applyJsonPatch(document, patch),
    (error: unknown) => {
      assert.ok(error instanceof StatusError);
      assert.equal(error.code, 422);
      assert.equal(error.reason, "Invalid");
      assert.equal(error.message, "the server rejected our request due to an error in our request");
      assert.equal(error.details?.causes?.[0].reason, "UnexpectedServerResponse");
      assert.match(error.details?.causes?.[0].message ?? "", cause);
      return true;
    },
  );
}

test("add, replace and remove as kubectl patch --type=json sends them", () => {
  const result = applyJsonPatch(doc(), [
    { op: "replace", path: "/spec/replicas", value: 4 },
    { op: "add", path: "/metadata/labels/tier", value: "fe" },
    { op: "remove", path: "/metadata/labels/app" },
    { op: "add", path: "/spec/containers/-", value: { name: "c" } },
    { op: "add", path: "/spec/containers/0", value: { name: "first" } },
    { op: "remove", path: "/spec/containers/2" },
  ]);
  assert.deepEqual(result, {
    metadata: { name: "web", labels: { tier: "fe" }, annotations: { "example.com/a~b": "1" } },
    spec: { replicas: 4, containers: [{ name: "first" }, { name: "a" }, { name: "c" }] },
  });
});

test("JSON pointer escapes ~0 and ~1", () => {
  const result = applyJsonPatch(doc(), [
    { op: "add", path: "/metadata/annotations/example.com~1b", value: "2" },
    { op: "remove", path: "/metadata/annotations/example.com~1a~0b" },
  ]) as { metadata: { annotations: Record<string, string> } };
  assert.deepEqual(result.metadata.annotations, { "example.com/b": "2" });
});

test("move, copy and test", () => {
  const result = applyJsonPatch(doc(), [
    { op: "test", path: "/spec/replicas", value: 2 },
    { op: "test", path: "/spec/containers/0", value: { name: "a" } },
    { op: "copy", from: "/spec/containers/0", path: "/spec/containers/-" },
    { op: "move", from: "/metadata/labels/app", path: "/metadata/labels/role" },
    { op: "test", path: "/metadata/missing", value: null },
  ]) as { metadata: { labels: object }; spec: { containers: object[] } };
  assert.deepEqual(result.metadata.labels, { role: "web" });
  assert.deepEqual(result.spec.containers, [{ name: "a" }, { name: "b" }, { name: "a" }]);
});

test("negative array indices count from the end", () => {
  const result = applyJsonPatch({ l: [1, 2, 3] }, [
    { op: "replace", path: "/l/-1", value: 30 },
    { op: "remove", path: "/l/-3" },
  ]);
  assert.deepEqual(result, { l: [2, 30] });
});

test("copied values are independent and the input is not modified", () => {
  const input = doc();
  const result = applyJsonPatch(input, [
    { op: "copy", from: "/spec/containers/0", path: "/spec/containers/-" },
    { op: "add", path: "/spec/containers/2/image", value: "x" },
  ]) as { spec: { containers: object[] } };
  assert.deepEqual(result.spec.containers[0], { name: "a" });
  assert.deepEqual(input, doc());
});

test("operations that do not apply are 422 Invalid with the detail as a cause", () => {
  invalid(
    doc(),
    [{ op: "test", path: "/spec/replicas", value: 3 }],
    /^testing value \/spec\/replicas failed/,
  );
  invalid(doc(), [{ op: "remove", path: "/metadata/labels/nope" }], /Unable to remove nonexistent key: nope/);
  invalid(doc(), [{ op: "replace", path: "/spec/paused", value: true }], /replace operation does not apply/);
  invalid(
    doc(),
    [{ op: "add", path: "/status/phase", value: "x" }],
    /add operation does not apply: doc is missing path/,
  );
  invalid(doc(), [{ op: "add", path: "/spec/containers/5", value: {} }], /invalid index referenced/);
  invalid(doc(), [{ op: "remove", path: "/spec/containers/x" }], /invalid syntax/);
  invalid(
    doc(),
    [{ op: "move", from: "/nope", path: "/x" }],
    /move operation does not apply: doc is missing from path/,
  );
  invalid(doc(), [{ op: "frobnicate", path: "/x" }], /Unexpected kind: frobnicate/);
  invalid(doc(), [{ op: "add", value: 1 }], /missing path/);
  invalid(doc(), [{ op: "replace", path: "", value: {} }], /doc is missing path/);
});

test("a failed operation leaves nothing applied", () => {
  const input = doc();
  invalid(
    input,
    [
      { op: "replace", path: "/spec/replicas", value: 9 },
      { op: "test", path: "/spec/replicas", value: 2 },
    ],
    /test failed/,
  );
  assert.equal(input.spec.replicas, 2);
});

test("a body that is not a list is a 400; too many operations are a 413; null is no operation", () => {
  assert.throws(
    () => applyJsonPatch(doc(), { op: "add" }),
    (e: unknown) => e instanceof StatusError && e.code === 400 && /cannot unmarshal object/.test(e.message),
  );
  const many = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({
    op: "test",
    path: "/spec",
    value: {},
  }));
  assert.throws(
    () => applyJsonPatch(doc(), many),
    (e: unknown) =>
      e instanceof StatusError && e.reason === "RequestEntityTooLarge" && /got 10001/.test(e.message),
  );
  assert.deepEqual(applyJsonPatch(doc(), null), doc());
});
