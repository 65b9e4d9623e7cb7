import assert from "node:assert/strict";
import { test } from "node:test";
import type { Backend } from "../network/endpoint-source.ts";
import type { Service } from "../network/objects.ts";
import { affinityOf, globalBackends, isGlobal, isShared } from "./global-service.ts";

const local: Backend[] = [{ ip: "127.2.1.9", port: 80 }];
const remote: Backend[] = [
  { ip: "127.3.1.1", port: 80 },
  { ip: "127.1.1.1", port: 80 },
];
const service = (annotations: Record<string, string>): Service => ({
  metadata: { name: "web", namespace: "default", annotations },
});

test("affinity none uses every backend, ordered by address", () => {
  assert.deepEqual(
    globalBackends("none", local, remote).map((b) => b.ip),
    ["127.1.1.1", "127.2.1.9", "127.3.1.1"],
  );
});

test("affinity local prefers local backends and fails over to remote ones when none is left", () => {
  assert.deepEqual(globalBackends("local", local, remote), local);
  assert.deepEqual(
    globalBackends("local", [], remote).map((b) => b.ip),
    ["127.1.1.1", "127.3.1.1"],
  );
});

test("affinity remote prefers remote backends and falls back to local ones", () => {
  assert.equal(globalBackends("remote", local, remote).length, 2);
  assert.deepEqual(globalBackends("remote", local, []), local);
  assert.deepEqual(globalBackends("remote", [], []), []);
});

test('annotations: global only with "true", shared unless "false", unknown affinity is none', () => {
  assert.equal(isGlobal(service({ "service.cilium.io/global": "True" })), false);
  assert.equal(isShared(service({ "service.cilium.io/global": "true" })), true);
  assert.equal(
    isShared(service({ "service.cilium.io/global": "true", "service.cilium.io/shared": "false" })),
    false,
  );
  assert.equal(isShared(service({ "service.cilium.io/shared": "true" })), false, "not global, not shared");
  assert.equal(affinityOf(service({ "service.cilium.io/affinity": "remote" })), "remote");
  assert.equal(affinityOf(service({ "service.cilium.io/affinity": "nearest" })), "none");
});
