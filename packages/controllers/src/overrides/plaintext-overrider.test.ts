import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { KubeObject } from "@atoll/kube";
import { getAt } from "./json-pointer.ts";
import { OverrideError } from "./override-error.ts";
import { applyPlaintextOverrider } from "./plaintext-overrider.ts";
import type { PlaintextOverrider } from "./types.ts";

function service(): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "web", namespace: "default", annotations: { "example.com/a~b": "1" } },
    spec: { type: "ClusterIP", ports: [{ port: 80 }, { port: 443 }] },
  };
}

function rejects(object: KubeObject, overrider: PlaintextOverrider, reason: string): void {
  assert.throws(
    () => applyPlaintextOverrider(object, overrider),
    (error: unknown) => error instanceof OverrideError && error.reason === reason,
    JSON.stringify(overrider),
  );
}

describe("plaintext overrider", () => {
  test("add sets a member, inserts at an index and appends with -", () => {
    const object = service();
    applyPlaintextOverrider(object, { operator: "add", path: "/spec/externalTrafficPolicy", value: "Local" });
    applyPlaintextOverrider(object, { operator: "add", path: "/spec/ports/0", value: { port: 8080 } });
    applyPlaintextOverrider(object, { operator: "add", path: "/spec/ports/-", value: { port: 9090 } });
    applyPlaintextOverrider(object, { operator: "add", path: "/spec/ports/4", value: { port: 1 } });
    applyPlaintextOverrider(object, { operator: "add", path: "/spec/type", value: "LoadBalancer" });
    assert.deepEqual(object.spec, {
      type: "LoadBalancer",
      externalTrafficPolicy: "Local",
      ports: [{ port: 8080 }, { port: 80 }, { port: 443 }, { port: 9090 }, { port: 1 }],
    });
  });

  test("replace and remove act on existing paths, with ~0 and ~1 escapes", () => {
    const object = service();
    applyPlaintextOverrider(object, { operator: "replace", path: "/spec/ports/1/port", value: 8443 });
    applyPlaintextOverrider(object, {
      operator: "replace",
      path: "/metadata/annotations/example.com~1a~0b",
      value: "2",
    });
    applyPlaintextOverrider(object, { operator: "remove", path: "/spec/ports/0" });
    applyPlaintextOverrider(object, { operator: "replace", path: "/spec/type", value: null });
    assert.deepEqual(object.spec, { type: null, ports: [{ port: 8443 }] });
    assert.deepEqual(object.metadata.annotations, { "example.com/a~b": "2" });
    applyPlaintextOverrider(object, { operator: "remove", path: "/metadata/annotations" });
    assert.equal(getAt(object, "/metadata/annotations"), undefined);
  });

  test("paths that do not exist throw PathNotFound", () => {
    rejects(service(), { operator: "remove", path: "/spec/clusterIP" }, "PathNotFound");
    rejects(service(), { operator: "replace", path: "/spec/selector/app", value: "x" }, "PathNotFound");
    rejects(service(), { operator: "replace", path: "/spec/ports/2", value: {} }, "PathNotFound");
    rejects(service(), { operator: "remove", path: "/spec/ports/-" }, "PathNotFound");
    rejects(service(), { operator: "remove", path: "/spec/ports/01" }, "PathNotFound");
    rejects(service(), { operator: "add", path: "/spec/selector/app", value: "x" }, "PathNotFound");
    rejects(service(), { operator: "add", path: "/spec/ports/3", value: {} }, "PathNotFound");
    rejects(service(), { operator: "add", path: "/spec/type/x", value: 1 }, "PathNotFound");
  });

  test("bad operators, missing values and malformed pointers throw InvalidOverrider", () => {
    rejects(
      service(),
      { operator: "move", path: "/spec/type" } as unknown as PlaintextOverrider,
      "InvalidOverrider",
    );
    rejects(service(), { operator: "add", path: "/spec/x" }, "InvalidOverrider");
    rejects(service(), { operator: "replace", path: "spec/type", value: "x" }, "InvalidOverrider");
    rejects(service(), { operator: "replace", path: "", value: {} }, "InvalidOverrider");
  });

  test("the added value is a copy", () => {
    const value = { port: 1 };
    const object = service();
    applyPlaintextOverrider(object, { operator: "add", path: "/spec/ports/-", value });
    (getAt(object, "/spec/ports/2") as { port: number }).port = 2;
    assert.deepEqual(value, { port: 1 });
  });
});
