import assert from "node:assert/strict";
import { test } from "node:test";
import { StatusError } from "../api/errors.ts";
import { builtinShapes } from "../schema/builtin/index.ts";
import type { Shape, ShapeResolver } from "../schema/shape.ts";
import type { JsonObject } from "./json-value.ts";
import { strategicMergePatch } from "./strategic-merge.ts";

const POD: Shape = { type: "ref", name: "io.k8s.api.core.v1.Pod" };
const SERVICE: Shape = { type: "ref", name: "io.k8s.api.core.v1.Service" };

function patchPod(live: JsonObject, patch: unknown): JsonObject {
  return strategicMergePatch(live, patch, POD, builtinShapes);
}

function pod(spec: JsonObject, metadata: JsonObject = { name: "p" }): JsonObject {
  return { apiVersion: "v1", kind: "Pod", metadata, spec };
}

function rejects(fn: () => unknown, reason: string, message: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof StatusError, `expected a StatusError, got ${String(error)}`);
    assert.equal(error.reason, reason);
    assert.match(error.message, message);
    return true;
  });
}

const web = { name: "web", image: "nginx", ports: [{ containerPort: 80, protocol: "TCP" }] };
const side = { name: "side", image: "busybox" };

test("maps merge, null deletes, and a null for a missing key is ignored", () => {
  const live = pod({ containers: [web] }, { name: "p", labels: { a: "1", b: "2" } });
  const result = patchPod(live, { metadata: { labels: { b: null, c: "3", d: null } } });
  assert.deepEqual(result.metadata, { name: "p", labels: { a: "1", c: "3" } });
});

test("nulls inside a newly set value are dropped", () => {
  const result = patchPod(pod({ containers: [web] }), {
    spec: { securityContext: { runAsUser: 1, fsGroup: null } },
  });
  assert.deepEqual((result.spec as JsonObject).securityContext, { runAsUser: 1 });
});

test("merge lists merge by key and append new items in patch order", () => {
  const result = patchPod(pod({ containers: [web] }), {
    spec: {
      containers: [
        { name: "b", image: "b" },
        { name: "web", image: "nginx:2" },
        { name: "a", image: "a" },
      ],
    },
  });
  const spec = result.spec as JsonObject;
  assert.deepEqual(spec.containers, [
    { name: "b", image: "b" },
    { ...web, image: "nginx:2" },
    { name: "a", image: "a" },
  ]);
});

test("server-only items keep their place relative to patched items", () => {
  const live = pod({ containers: [{ name: "a" }, { name: "b" }, { name: "c" }] });
  const result = patchPod(live, {
    spec: {
      containers: [
        { name: "c", image: "x" },
        { name: "a", image: "y" },
      ],
    },
  });
  const names = ((result.spec as JsonObject).containers as JsonObject[]).map((c) => c.name);
  // b came before c in the live list, so it stays before it; c and a follow the patch's order.
  assert.deepEqual(names, ["b", "c", "a"]);
});

test("$patch: delete removes a list item by merge key, $patch: replace replaces the list", () => {
  const live = pod({ containers: [web, side] });
  const deleted = patchPod(live, { spec: { containers: [{ $patch: "delete", name: "web" }] } });
  assert.deepEqual((deleted.spec as JsonObject).containers, [side]);
  const replaced = patchPod(live, {
    spec: { containers: [{ name: "only", image: "x" }, { $patch: "replace" }] },
  });
  assert.deepEqual((replaced.spec as JsonObject).containers, [{ name: "only", image: "x" }]);
  const emptied = patchPod(live, { spec: { volumes: [{ $patch: "replace" }] } });
  assert.deepEqual((emptied.spec as JsonObject).volumes, []);
});

test("$patch: replace and delete on maps", () => {
  const live = pod({ containers: [web], nodeSelector: { a: "1", b: "2" } });
  const replaced = patchPod(live, { spec: { nodeSelector: { $patch: "replace", c: "3" } } });
  assert.deepEqual((replaced.spec as JsonObject).nodeSelector, { c: "3" });
  const emptied = patchPod(live, { spec: { nodeSelector: { $patch: "delete" } } });
  assert.deepEqual((emptied.spec as JsonObject).nodeSelector, {});
});

test("scalar merge lists merge as sets; $deleteFromPrimitiveList removes", () => {
  const live = pod({ containers: [web] }, { name: "p", finalizers: ["a", "b"] });
  const merged = patchPod(live, { metadata: { finalizers: ["c", "a"] } });
  assert.deepEqual((merged.metadata as JsonObject).finalizers, ["c", "a", "b"]);
  const removed = patchPod(live, { metadata: { "$deleteFromPrimitiveList/finalizers": ["a", "zzz"] } });
  assert.deepEqual((removed.metadata as JsonObject).finalizers, ["b"]);
  const ordered = patchPod(live, {
    metadata: { "$setElementOrder/finalizers": ["b", "c", "a"], finalizers: ["c"] },
  });
  assert.deepEqual((ordered.metadata as JsonObject).finalizers, ["b", "c", "a"]);
});

test("lists without a merge strategy are replaced whole", () => {
  const live = pod({
    containers: [{ ...web, args: ["a", "b"] }],
    tolerations: [{ key: "a", operator: "Exists" }],
  });
  const result = patchPod(live, {
    spec: { tolerations: [{ key: "b", operator: "Exists" }], containers: [{ name: "web", args: ["c"] }] },
  });
  const spec = result.spec as JsonObject;
  assert.deepEqual(spec.tolerations, [{ key: "b", operator: "Exists" }]);
  assert.deepEqual((spec.containers as JsonObject[])[0].args, ["c"]);
});

test("container ports merge by containerPort, service ports by port", () => {
  const live = pod({ containers: [{ name: "web", ports: [{ containerPort: 80, name: "http" }] }] });
  const result = patchPod(live, {
    spec: {
      containers: [{ name: "web", ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 443 }] }],
    },
  });
  assert.deepEqual(((result.spec as JsonObject).containers as JsonObject[])[0].ports, [
    { containerPort: 80, name: "http", hostPort: 8080 },
    { containerPort: 443 },
  ]);
  const svc = { kind: "Service", spec: { ports: [{ port: 80, targetPort: 8080 }], selector: { app: "a" } } };
  const patched = strategicMergePatch(
    svc,
    { spec: { ports: [{ port: 80, targetPort: "http" }] } },
    SERVICE,
    builtinShapes,
  );
  assert.deepEqual((patched.spec as JsonObject).ports, [{ port: 80, targetPort: "http" }]);
});

test("fields the shape does not know merge like JSON merge patch", () => {
  const live = pod({ containers: [web] }, { name: "p" });
  const withExtra = { ...live, extra: { a: 1, list: [1, 2], nested: { x: 1 } } };
  const result = patchPod(withExtra, { extra: { b: 2, list: [3], nested: { x: null, y: 2 } } });
  assert.deepEqual(result.extra, { a: 1, b: 2, list: [3], nested: { y: 2 } });
});

test("a value of a different kind replaces the live one", () => {
  const live = pod({ containers: [web] }, { name: "p", labels: { a: "1" } });
  const result = patchPod(live, { metadata: { labels: "oops" } });
  assert.equal((result.metadata as JsonObject).labels, "oops");
});

test("$setElementOrder must list the patch items in the same order", () => {
  const live = pod({ containers: [web, side] });
  rejects(
    () =>
      patchPod(live, {
        spec: {
          "$setElementOrder/containers": [{ name: "web" }, { name: "side" }],
          containers: [
            { name: "side", image: "x" },
            { name: "web", image: "y" },
          ],
        },
      }),
    "BadRequest",
    /invalid patch format of setElementOrder list/,
  );
});

test("$retainKeys must be a list that covers the patch's keys", () => {
  const live = pod({ containers: [web], volumes: [{ name: "v", emptyDir: {} }] });
  rejects(
    () => patchPod(live, { spec: { volumes: [{ name: "v", $retainKeys: "name" }] } }),
    "BadRequest",
    /invalid patch format of retainKeys/,
  );
  rejects(
    () =>
      patchPod(live, {
        spec: { volumes: [{ name: "v", $retainKeys: ["name"], secret: { secretName: "s" } }] },
      }),
    "BadRequest",
    /invalid patch format of retainKeys/,
  );
});

test("failures kube-apiserver reports as 500 carry its message", () => {
  const live = pod({ containers: [web] });
  rejects(
    () => patchPod(live, { spec: { containers: [{ image: "x" }] } }),
    "InternalError",
    /^map: map\[image:x\] does not contain declared merge key: name$/,
  );
  rejects(
    () => patchPod(live, { spec: { containers: [{ name: "web", $patch: "merge" }] } }),
    "InternalError",
    /merging lists cannot yet be specified in the patch/,
  );
  rejects(
    () => patchPod(live, { spec: { containers: [{ name: "web", $patch: "bogus" }] } }),
    "InternalError",
    /unknown patch type: bogus in map/,
  );
  rejects(() => patchPod(live, { spec: { $patch: "bogus" } }), "InternalError", /unknown patch type: bogus/);
});

test("lists of lists are refused with 422", () => {
  const shapes: Record<string, Shape> = {
    root: {
      type: "struct",
      fields: {
        grid: { type: "list", items: { type: "any" }, listType: "set", patchStrategy: "merge" },
      },
    },
  };
  const resolver: ShapeResolver = { resolve: (name) => shapes[name] };
  rejects(
    () => strategicMergePatch({ grid: [[1]] }, { grid: [[2]] }, { type: "ref", name: "root" }, resolver),
    "Invalid",
    /the server rejected our request/,
  );
});

test("the patch body must be an object", () => {
  for (const body of [[], "x", null, 3]) {
    rejects(() => patchPod(pod({ containers: [web] }), body), "BadRequest", /cannot unmarshal/);
  }
});

test("inputs are not modified", () => {
  const live = pod({ containers: [web, side] }, { name: "p", finalizers: ["a"] });
  const patch = {
    metadata: { finalizers: ["b"] },
    spec: { containers: [{ $patch: "delete", name: "side" }] },
  };
  const before = JSON.stringify([live, patch]);
  patchPod(live, patch);
  assert.equal(JSON.stringify([live, patch]), before);
});

test("a missing original is patched as an empty object", () => {
  assert.deepEqual(
    patchPod(undefined as unknown as JsonObject, { metadata: { name: "x", labels: { a: null } } }),
    {
      metadata: { name: "x", labels: {} },
    },
  );
});
