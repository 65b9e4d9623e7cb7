import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  containerArgv,
  defaultRuntimeConfig,
  imageMatches,
  loadRuntimeConfig,
  parseRuntimeConfig,
  repositoryPath,
  resolveImage,
  searchPath,
} from "./runtime-config.ts";

test("image references reduce to their repository path", () => {
  assert.equal(repositoryPath("etcd"), "etcd");
  assert.equal(repositoryPath("quay.io/coreos/etcd:v3.5.9"), "coreos/etcd");
  assert.equal(repositoryPath("localhost:5000/team/etcd@sha256:abc"), "team/etcd");
  assert.equal(repositoryPath("bitnami/etcd:3.5"), "bitnami/etcd");
  assert.equal(repositoryPath("docker.io/library/busybox:1.36"), "library/busybox");
});

test("patterns match by repository substring, or by glob over the whole reference", () => {
  assert.ok(imageMatches("etcd", "docker.io/apecloud/etcd:3.5.6"));
  assert.ok(!imageMatches("etcd", "etcd.example.com/nginx:1"), "the registry host is not part of the name");
  assert.ok(imageMatches("*/busybox:*", "docker.io/library/busybox:1.36"));
  assert.ok(!imageMatches("busybox:1.?", "busybox:1.36"));
});

test("the default config runs etcd images with the system etcd, when one is installed", () => {
  const config = defaultRuntimeConfig((bin) => (bin === "etcd" ? "/opt/bin/etcd" : undefined));
  assert.deepEqual(resolveImage(config, "quay.io/coreos/etcd:v3.5.9"), {
    executable: "/opt/bin/etcd",
    defaultArgs: [],
    aliases: ["etcd"],
  });
  assert.equal(resolveImage(config, "nginx:1.27"), undefined, "other images are simulated");
  assert.deepEqual(
    defaultRuntimeConfig(() => undefined),
    { images: [] },
  );
});

test("searchPath finds executables on a PATH list", () => {
  const which = searchPath("/nonexistent:/bin:/usr/bin");
  assert.ok(which("sh")?.endsWith("/sh"));
  assert.equal(which("no-such-program-atoll"), undefined);
  assert.equal(which("/bin/sh"), "/bin/sh");
});

test("argv follows the Kubernetes entrypoint rules", () => {
  const etcd = { executable: "/usr/bin/etcd", defaultArgs: ["--version"], aliases: ["etcd"] };
  assert.deepEqual(containerArgv(etcd), ["/usr/bin/etcd", "--version"]);
  assert.deepEqual(containerArgv(etcd, undefined, ["--name", "a"]), ["/usr/bin/etcd", "--name", "a"]);
  assert.deepEqual(containerArgv(etcd, ["etcd", "--name", "b"]), ["/usr/bin/etcd", "--name", "b"]);
  assert.deepEqual(containerArgv(etcd, ["/usr/local/bin/etcd"], ["--x"]), ["/usr/bin/etcd", "--x"]);
  assert.deepEqual(containerArgv(etcd, ["/bin/sh", "-c"], ["echo hi"]), ["/bin/sh", "-c", "echo hi"]);
  assert.deepEqual(containerArgv(etcd, [], []), ["/usr/bin/etcd", "--version"]);
});

test("config files load from YAML or JSON and are validated", async () => {
  const dir = await mkdtemp(join(tmpdir(), "atoll-runtime-config-"));
  try {
    const yamlPath = join(dir, "runtime.yaml");
    await writeFile(
      yamlPath,
      "images:\n  - match: busybox\n    executable: /bin/sh\n    defaultArgs: [-c, 'sleep 1']\n",
    );
    const config = await loadRuntimeConfig(yamlPath);
    assert.deepEqual(resolveImage(config, "busybox:1.36")?.defaultArgs, ["-c", "sleep 1"]);
    const jsonPath = join(dir, "runtime.json");
    await writeFile(
      jsonPath,
      JSON.stringify({ images: [{ match: "redis", executable: "/usr/bin/redis-server" }] }),
    );
    assert.equal(
      resolveImage(await loadRuntimeConfig(jsonPath), "redis:7")?.executable,
      "/usr/bin/redis-server",
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  assert.throws(
    () => parseRuntimeConfig("images: [{match: x, executable: sh}]", "t"),
    /images\[0\]\.executable/,
  );
  assert.throws(() => parseRuntimeConfig("[]", "t"), /`images` list/);
  assert.throws(() => parseRuntimeConfig("images: [{match: x, executable: /x, aliases: 3}]", "t"), /aliases/);
});
