import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { KubeObject } from "@atoll/kube";
import { applyImageOverrider, overrideImage } from "./image-overrider.ts";
import { OverrideError } from "./override-error.ts";
import type { ImageOverrider } from "./types.ts";

const sha = `sha256:${"a1".repeat(32)}`;
const sha2 = `sha256:${"b2".repeat(32)}`;
const A = "nginx";
const B = "nginx:1.25";
const C = "docker.io/library/nginx:1.25";
const D = `registry.example.com:5000/team/app@${sha}`;

function op(component: ImageOverrider["component"], operator: ImageOverrider["operator"], value?: string) {
  return { component, operator, value };
}

describe("overrideImage", () => {
  const cases: Array<[string, ImageOverrider, Record<string, string>]> = [
    [
      "Registry replace",
      op("Registry", "replace", "mirror.local:5000"),
      {
        [A]: "mirror.local:5000/nginx",
        [B]: "mirror.local:5000/nginx:1.25",
        [C]: "mirror.local:5000/library/nginx:1.25",
        [D]: `mirror.local:5000/team/app@${sha}`,
      },
    ],
    [
      "Registry add appends to the registry text",
      op("Registry", "add", ".cn"),
      { [C]: "docker.io.cn/library/nginx:1.25" },
    ],
    [
      "Registry add to no registry",
      op("Registry", "add", "registry.example.com"),
      { [A]: "registry.example.com/nginx", [B]: "registry.example.com/nginx:1.25" },
    ],
    [
      "Registry remove",
      op("Registry", "remove"),
      { [A]: "nginx", [B]: "nginx:1.25", [C]: "library/nginx:1.25", [D]: `team/app@${sha}` },
    ],
    [
      "Repository replace",
      op("Repository", "replace", "library/busybox"),
      {
        [A]: "library/busybox",
        [B]: "library/busybox:1.25",
        [C]: "docker.io/library/busybox:1.25",
        [D]: `registry.example.com:5000/library/busybox@${sha}`,
      },
    ],
    [
      "Repository add",
      op("Repository", "add", "-unprivileged"),
      { [B]: "nginx-unprivileged:1.25", [C]: "docker.io/library/nginx-unprivileged:1.25" },
    ],
    [
      "Tag replace with a tag drops a digest",
      op("Tag", "replace", "1.26"),
      {
        [A]: "nginx:1.26",
        [B]: "nginx:1.26",
        [C]: "docker.io/library/nginx:1.26",
        [D]: "registry.example.com:5000/team/app:1.26",
      },
    ],
    [
      "Tag replace with a digest drops the tag",
      op("Tag", "replace", sha2),
      { [B]: `nginx@${sha2}`, [D]: `registry.example.com:5000/team/app@${sha2}` },
    ],
    [
      "Tag add appends to the tag",
      op("Tag", "add", "-alpine"),
      { [B]: "nginx:1.25-alpine", [C]: "docker.io/library/nginx:1.25-alpine" },
    ],
    [
      "Tag remove drops the tag, else the digest",
      op("Tag", "remove"),
      {
        [A]: "nginx",
        [B]: "nginx",
        [C]: "docker.io/library/nginx",
        [D]: "registry.example.com:5000/team/app",
        [`nginx:1.25@${sha}`]: `nginx@${sha}`,
      },
    ],
  ];
  for (const [name, overrider, expectations] of cases) {
    test(name, () => {
      for (const [image, expected] of Object.entries(expectations)) {
        assert.equal(overrideImage(image, overrider), expected, image);
      }
    });
  }

  test("invalid overriders and images throw OverrideError with a reason", () => {
    const invalid = (image: string, overrider: ImageOverrider, reason: string) =>
      assert.throws(
        () => overrideImage(image, overrider),
        (error: unknown) => error instanceof OverrideError && error.reason === reason,
      );
    invalid(B, op("Repository", "remove"), "InvalidOverrider");
    invalid(A, op("Tag", "add", "-alpine"), "InvalidOverrider");
    invalid(B, op("Tag", "replace", "not a tag"), "InvalidOverrider");
    invalid(A, op("Registry", "add", ".cn"), "InvalidOverrider");
    invalid(D, op("Registry", "add", ".cn"), "InvalidOverrider");
    invalid("Not/A/Valid::image", op("Tag", "remove"), "InvalidImage");
  });
});

function deployment(): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default" },
    spec: {
      template: {
        spec: {
          initContainers: [{ name: "init", image: "busybox:1.36" }],
          containers: [
            { name: "web", image: B },
            { name: "sidecar", image: D },
          ],
        },
      },
    },
  };
}

describe("applyImageOverrider", () => {
  test("without a predicate, every container and initContainer of a workload", () => {
    const object = deployment();
    applyImageOverrider(object, op("Registry", "replace", "mirror.local"));
    assert.deepEqual(object.spec, {
      template: {
        spec: {
          initContainers: [{ name: "init", image: "mirror.local/busybox:1.36" }],
          containers: [
            { name: "web", image: "mirror.local/nginx:1.25" },
            { name: "sidecar", image: `mirror.local/team/app@${sha}` },
          ],
        },
      },
    });
  });

  test("Pods and CronJobs have their pod spec where Kubernetes puts it", () => {
    const pod: KubeObject = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p" },
      spec: { containers: [{ name: "c", image: A }] },
    };
    applyImageOverrider(pod, op("Tag", "replace", "1.27"));
    assert.deepEqual(pod.spec, { containers: [{ name: "c", image: "nginx:1.27" }] });

    const cronJob: KubeObject = {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "cj" },
      spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: "c", image: C }] } } } } },
    };
    applyImageOverrider(cronJob, op("Registry", "remove"));
    assert.equal(
      (
        cronJob.spec as {
          jobTemplate: { spec: { template: { spec: { containers: Array<{ image: string }> } } } };
        }
      ).jobTemplate.spec.template.spec.containers[0].image,
      "library/nginx:1.25",
    );
  });

  test("other kinds, and a Deployment of another group, are left alone", () => {
    const configMap: KubeObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c" },
      data: { image: B },
    };
    applyImageOverrider(configMap, op("Tag", "replace", "2"));
    assert.deepEqual(configMap.data, { image: B });
    const custom = { ...deployment(), apiVersion: "example.com/v1" };
    applyImageOverrider(custom, op("Tag", "replace", "2"));
    assert.deepEqual(custom, { ...deployment(), apiVersion: "example.com/v1" });
  });

  test("a predicate path rewrites only that image, in any kind", () => {
    const object = deployment();
    applyImageOverrider(object, {
      ...op("Tag", "replace", "1.26"),
      predicate: { path: "/spec/template/spec/containers/0/image" },
    });
    const expected = deployment();
    (
      expected.spec as { template: { spec: { containers: Array<{ image: string }> } } }
    ).template.spec.containers[0].image = "nginx:1.26";
    assert.deepEqual(object, expected);

    const custom: KubeObject = {
      apiVersion: "example.com/v1",
      kind: "Thing",
      metadata: { name: "t" },
      spec: { image: A },
    };
    applyImageOverrider(custom, {
      ...op("Registry", "replace", "r.example"),
      predicate: { path: "/spec/image" },
    });
    assert.deepEqual(custom.spec, { image: "r.example/nginx" });
  });

  test("a predicate path that does not exist or is not a string throws PathNotFound", () => {
    for (const path of [
      "/spec/template/spec/containers/5/image",
      "/spec/template/spec/containers/0",
      "/nope",
    ]) {
      assert.throws(
        () => applyImageOverrider(deployment(), { ...op("Tag", "replace", "1"), predicate: { path } }),
        (error: unknown) =>
          error instanceof OverrideError && error.reason === "PathNotFound" && error.message.includes(path),
      );
    }
  });

  test("bad component, operator or value throws InvalidOverrider", () => {
    const bad = [
      { component: "Digest", operator: "replace", value: "x" },
      { component: "Tag", operator: "set", value: "x" },
      { component: "Tag", operator: "replace" },
      { component: "Tag", operator: "replace", value: "1", predicate: { path: "spec/image" } },
    ] as unknown as ImageOverrider[];
    for (const overrider of bad) {
      assert.throws(
        () => applyImageOverrider(deployment(), overrider),
        (error: unknown) => error instanceof OverrideError && error.reason === "InvalidOverrider",
        JSON.stringify(overrider),
      );
    }
  });
});
