import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { KubeObject } from "@atoll/kube";
import { applyLabelAnnotationOverrider } from "./label-annotation-overrider.ts";
import { OverrideError } from "./override-error.ts";
import type { LabelAnnotationOverrider } from "./types.ts";

function configMap(metadata: Partial<KubeObject["metadata"]> = {}): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "default", ...metadata } };
}

describe("labelsOverrider and annotationsOverrider", () => {
  test("add sets every key, overwriting, and creates the map when absent", () => {
    const object = configMap({ labels: { app: "web", tier: "a" } });
    applyLabelAnnotationOverrider(
      object,
      { operator: "add", value: { tier: "b", "app.kubernetes.io/part-of": "shop" } },
      "labels",
    );
    applyLabelAnnotationOverrider(
      object,
      { operator: "add", value: { "example.com/owner": "team-a" } },
      "annotations",
    );
    assert.deepEqual(object.metadata.labels, { app: "web", tier: "b", "app.kubernetes.io/part-of": "shop" });
    assert.deepEqual(object.metadata.annotations, { "example.com/owner": "team-a" });
  });

  test("replace changes only keys that exist", () => {
    const object = configMap({ annotations: { a: "1" } });
    applyLabelAnnotationOverrider(object, { operator: "replace", value: { a: "2", b: "3" } }, "annotations");
    assert.deepEqual(object.metadata.annotations, { a: "2" });
    const bare = configMap();
    applyLabelAnnotationOverrider(bare, { operator: "replace", value: { a: "2" } }, "annotations");
    assert.deepEqual(bare, configMap());
  });

  test("remove deletes listed keys that exist, whatever values are given", () => {
    const object = configMap({ labels: { app: "web", "app.kubernetes.io/version": "1", keep: "yes" } });
    applyLabelAnnotationOverrider(
      object,
      { operator: "remove", value: { app: "", "app.kubernetes.io/version": "ignored", missing: "" } },
      "labels",
    );
    assert.deepEqual(object.metadata.labels, { keep: "yes" });
    const bare = configMap();
    applyLabelAnnotationOverrider(bare, { operator: "remove", value: { app: "" } }, "labels");
    assert.deepEqual(bare, configMap());
  });

  test("a key named __proto__ is an ordinary key", () => {
    const object = configMap();
    applyLabelAnnotationOverrider(
      object,
      { operator: "add", value: JSON.parse('{"__proto__":"x"}') },
      "labels",
    );
    assert.equal(Object.getPrototypeOf(object.metadata.labels), Object.prototype);
    assert.deepEqual(JSON.parse(JSON.stringify(object.metadata.labels)), JSON.parse('{"__proto__":"x"}'));
  });

  test("an unknown operator throws InvalidOverrider", () => {
    assert.throws(
      () =>
        applyLabelAnnotationOverrider(
          configMap(),
          { operator: "merge", value: { a: "1" } } as unknown as LabelAnnotationOverrider,
          "labels",
        ),
      (error: unknown) =>
        error instanceof OverrideError && error.reason === "InvalidOverrider" && /merge/.test(error.message),
    );
  });
});
