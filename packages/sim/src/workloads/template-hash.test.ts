import assert from "node:assert/strict";
import { test } from "node:test";
import { scaledValue } from "./int-or-percent.ts";
import { computeTemplateHash } from "./template-hash.ts";

test("template hashes are stable, name-safe, and blind to key order, nulls and empty fields", () => {
  const template = {
    metadata: { labels: { app: "web" } },
    spec: { containers: [{ name: "web", image: "nginx" }] },
  };
  const hash = computeTemplateHash(template);
  assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  assert.equal(hash, computeTemplateHash(template));
  const reordered = {
    spec: { containers: [{ image: "nginx", name: "web", resources: {} }] },
    metadata: { creationTimestamp: null, labels: { app: "web" } },
  };
  assert.equal(computeTemplateHash(reordered), hash);
  assert.notEqual(
    computeTemplateHash({ ...template, spec: { containers: [{ name: "web", image: "nginx:2" }] } }),
    hash,
  );
  assert.notEqual(computeTemplateHash(template, 1), hash, "a collision count changes the hash");
});

test("maxSurge rounds percentages up, maxUnavailable down, as Kubernetes does", () => {
  assert.equal(scaledValue("25%", 3, { roundUp: true }), 1);
  assert.equal(scaledValue("25%", 3, { roundUp: false }), 0);
  assert.equal(scaledValue("50%", 5, { roundUp: true }), 3);
  assert.equal(scaledValue(2, 10, { roundUp: false }), 2);
  assert.equal(scaledValue("3", 10, { roundUp: false }), 3);
  assert.equal(scaledValue(undefined, 10, { roundUp: false, fallback: 1 }), 1);
});
