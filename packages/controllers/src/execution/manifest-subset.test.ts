import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { containsManifest, projectOnto } from "./manifest-subset.ts";

const manifest = {
  metadata: { name: "web", labels: { app: "web" } },
  spec: {
    replicas: 2,
    template: {
      spec: { containers: [{ name: "web", image: "nginx:1.27", ports: [{ containerPort: 80 }] }] },
    },
  },
};

const live = {
  metadata: { name: "web", uid: "u1", resourceVersion: "7", labels: { app: "web", extra: "x" } },
  spec: {
    replicas: 2,
    revisionHistoryLimit: 10,
    template: {
      spec: {
        containers: [
          {
            name: "web",
            image: "nginx:1.27",
            imagePullPolicy: "IfNotPresent",
            ports: [{ containerPort: 80, protocol: "TCP" }],
          },
        ],
      },
    },
  },
  status: { replicas: 2, readyReplicas: 1 },
};

describe("containsManifest", () => {
  test("a live object with defaults, other fields and status contains its manifest", () => {
    assert.equal(containsManifest(live, manifest), true);
  });

  test("an edited scalar is drift", () => {
    const edited = structuredClone(live);
    edited.spec.replicas = 5;
    assert.equal(containsManifest(edited, manifest), false);
  });

  test("a removed label of the manifest is drift; a removed label of someone else is not", () => {
    const edited: { metadata: { labels: Record<string, string> } } = structuredClone(live);
    edited.metadata.labels = { app: "web" };
    assert.equal(containsManifest(edited, manifest), true);
    edited.metadata.labels = { extra: "x" };
    assert.equal(containsManifest(edited, manifest), false);
  });

  test("arrays compare element-wise and must have the same length", () => {
    const added = structuredClone(live);
    added.spec.template.spec.containers.push({ ...added.spec.template.spec.containers[0], name: "sidecar" });
    assert.equal(containsManifest(added, manifest), false);
    assert.equal(containsManifest({ a: [1, 2] }, { a: [2, 1] }), false);
    assert.equal(containsManifest({ a: [1, 2] }, { a: [1, 2] }), true);
  });

  test("a missing object or a type change is drift", () => {
    assert.equal(containsManifest(undefined, manifest), false);
    assert.equal(containsManifest({ spec: "x" }, { spec: { a: 1 } }), false);
    assert.equal(containsManifest({ a: "1" }, { a: 1 }), false);
  });

  test("null in a manifest asks for an absent field", () => {
    assert.equal(containsManifest({ a: 1 }, { b: null }), true);
    assert.equal(containsManifest({ a: 1, b: 2 }, { b: null }), false);
  });
});

describe("projectOnto", () => {
  test("cuts a live object to the manifest's shape", () => {
    assert.deepEqual(projectOnto(live, manifest), {
      metadata: { name: "web", labels: { app: "web" } },
      spec: {
        replicas: 2,
        template: {
          spec: {
            containers: [{ name: "web", image: "nginx:1.27", ports: [{ containerPort: 80 }] }],
          },
        },
      },
    });
  });

  test("a normalised value is taken from the live object, and the projection is contained in it", () => {
    const sent = { spec: { cpu: "0.5", list: [1] } };
    const stored = { spec: { cpu: "500m", list: [1, 2] }, status: {} };
    const expected = projectOnto(stored, sent);
    assert.deepEqual(expected, { spec: { cpu: "500m", list: [1, 2] } });
    assert.equal(containsManifest(stored, sent), false);
    assert.equal(containsManifest(stored, expected), true);
  });
});
