import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatImageReference, isDigest, isTag, parseImageReference } from "./image-reference.ts";

const sha = `sha256:${"a1".repeat(32)}`;

describe("image references", () => {
  const cases: Array<[string, ReturnType<typeof parseImageReference>]> = [
    ["nginx", { repository: "nginx" }],
    ["nginx:1.25", { repository: "nginx", tag: "1.25" }],
    ["library/nginx:1.25", { repository: "library/nginx", tag: "1.25" }],
    ["docker.io/library/nginx:1.25", { registry: "docker.io", repository: "library/nginx", tag: "1.25" }],
    [
      `registry.example.com:5000/team/app@${sha}`,
      { registry: "registry.example.com:5000", repository: "team/app", digest: sha },
    ],
    [`nginx:1.25@${sha}`, { repository: "nginx", tag: "1.25", digest: sha }],
    ["localhost/app", { registry: "localhost", repository: "app" }],
    ["localhost:5000/app:dev", { registry: "localhost:5000", repository: "app", tag: "dev" }],
    ["10.0.0.1:5000/a/b/c:v1", { registry: "10.0.0.1:5000", repository: "a/b/c", tag: "v1" }],
    ["[::1]:5000/app", { registry: "[::1]:5000", repository: "app" }],
    ["Registry/app", { registry: "Registry", repository: "app" }],
    ["team/app_x__y-z.w", { repository: "team/app_x__y-z.w" }],
  ];
  for (const [image, expected] of cases) {
    test(`${image} parses and formats back unchanged`, () => {
      const parsed = parseImageReference(image);
      assert.deepEqual(parsed, expected);
      assert.equal(formatImageReference(parsed!), image);
    });
  }

  for (const image of [
    "",
    "Nginx",
    "nginx:",
    "nginx@sha256:abc",
    `nginx@sha256:${"a".repeat(63)}`,
    "-nginx",
    "nginx//x",
    "foo:bar/baz",
    "nginx:1.25:1.26",
    `${"a".repeat(256)}`,
  ]) {
    test(`${JSON.stringify(image.slice(0, 40))} is rejected`, () => {
      assert.equal(parseImageReference(image), undefined);
    });
  }

  test("tags and digests are told apart", () => {
    assert.ok(isTag("1.25-alpine"));
    assert.ok(isTag("latest"));
    assert.ok(!isTag("-x"));
    assert.ok(!isTag("x".repeat(129)));
    assert.ok(isDigest(sha));
    assert.ok(isDigest(`sha512:${"0".repeat(128)}`));
    assert.ok(isDigest(`blake3:${"0".repeat(40)}`));
    assert.ok(!isDigest(`sha256:${"0".repeat(40)}`));
    assert.ok(!isDigest("1.25"));
  });
});
