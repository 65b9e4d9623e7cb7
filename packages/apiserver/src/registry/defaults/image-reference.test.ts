import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { defaultPullPolicy, parseImageReference } from "./image-reference.ts";

const DIGEST = `sha256:${"a".repeat(64)}`;

describe("defaultPullPolicy", () => {
  const cases: Array<[unknown, string]> = [
    ["nginx", "Always"],
    ["nginx:latest", "Always"],
    ["nginx:1.27", "IfNotPresent"],
    ["nginx:Latest", "IfNotPresent"],
    [`nginx@${DIGEST}`, "IfNotPresent"],
    [`nginx:latest@${DIGEST}`, "Always"],
    ["localhost:5000/team/app", "Always"],
    ["localhost:5000/team/app:v2", "IfNotPresent"],
    ["registry.k8s.io/pause:3.10", "IfNotPresent"],
    ["[::1]:5000/app:latest", "Always"],
    // Not references Kubernetes can parse: it falls back to IfNotPresent.
    ["Nginx", "IfNotPresent"],
    ["nginx:bad tag", "IfNotPresent"],
    ["a".repeat(64), "IfNotPresent"],
    ["", "IfNotPresent"],
    [undefined, "IfNotPresent"],
  ];
  for (const [image, policy] of cases) {
    test(`${JSON.stringify(image)} → ${policy}`, () => assert.equal(defaultPullPolicy(image), policy));
  }
});

test("parseImageReference normalises Docker Hub names", () => {
  assert.deepEqual(parseImageReference("nginx:1.27"), {
    name: "docker.io/library/nginx",
    tag: "1.27",
    digest: undefined,
  });
  assert.deepEqual(parseImageReference("Registry.Example/app"), {
    name: "Registry.Example/app",
    tag: undefined,
    digest: undefined,
  });
});
