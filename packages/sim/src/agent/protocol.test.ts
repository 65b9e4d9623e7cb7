import assert from "node:assert/strict";
import { test } from "node:test";
import {
  actionResultId,
  lastBytes,
  parseActionRequest,
  parseRoleProbe,
  renderActionResult,
  roleOf,
} from "./protocol.ts";

test("a role probe gets its defaults: period 1 s, timeout 2 s, three failures, the first container", () => {
  assert.deepEqual(parseRoleProbe('{"command": ["sh", "-c", "cat /role"]}'), {
    ok: true,
    value: {
      container: undefined,
      command: ["sh", "-c", "cat /role"],
      periodMs: 1000,
      timeoutMs: 2000,
      failureThreshold: 3,
    },
  });
  const custom = parseRoleProbe(
    '{"container": "db", "command": ["x"], "periodSeconds": 0.5, "timeoutSeconds": 5, "failureThreshold": 1}',
  );
  assert.ok(custom.ok);
  assert.equal(custom.value.periodMs, 500);
  assert.equal(custom.value.container, "db");
});

test("unusable role probes say why", () => {
  const cases: Array<[string, RegExp]> = [
    ["not json", /not JSON/],
    ["[1]", /not a JSON object/],
    ['{"command": []}', /command must be a non-empty array of strings/],
    ['{"command": ["x", 1]}', /command must be/],
    ['{"command": ["x"], "periodSeconds": 0}', /periodSeconds must be a positive number/],
    ['{"command": ["x"], "failureThreshold": 1.5}', /failureThreshold must be a positive integer/],
    ['{"command": ["x"], "container": ""}', /container must be a non-empty string/],
  ];
  for (const [text, error] of cases) {
    const parsed = parseRoleProbe(text);
    assert.ok(!parsed.ok, text);
    assert.match(parsed.error, error, text);
  }
});

test("action requests: defaults, env, and the id of an unusable one so its failure can be answered", () => {
  assert.deepEqual(parseActionRequest('{"id": "1", "command": ["true"]}'), {
    ok: true,
    id: "1",
    value: { id: "1", container: undefined, command: ["true"], env: {}, timeoutMs: 30_000 },
  });
  const withEnv = parseActionRequest(
    '{"id": "2", "command": ["env"], "env": {"A": "b"}, "timeoutSeconds": 3}',
  );
  assert.ok(withEnv.ok);
  assert.deepEqual(withEnv.value.env, { A: "b" });
  assert.equal(withEnv.value.timeoutMs, 3000);
  const badEnv = parseActionRequest('{"id": "3", "command": ["env"], "env": {"A": 1}}');
  assert.deepEqual(badEnv, { ok: false, error: "env must be an object of strings", id: "3" });
  const noId = parseActionRequest('{"command": ["true"]}');
  assert.equal(noId.ok, false);
  assert.equal(noId.id, undefined);
});

test("the role is the last non-empty line of stdout, trimmed", () => {
  assert.equal(roleOf("leader\n"), "leader");
  assert.equal(roleOf("starting\n  follower  \n\n \n"), "follower");
  assert.equal(roleOf(""), "");
  assert.equal(roleOf("\n \n"), "");
});

test("results keep the last 4 KiB of output, cut on a character boundary", () => {
  assert.equal(lastBytes("abc", 2), "bc");
  assert.equal(lastBytes("aé", 2), "é");
  assert.equal(lastBytes("éa", 2), "a", "half of é is dropped");
  const rendered = JSON.parse(
    renderActionResult({
      id: "x",
      exitCode: 0,
      output: `${"a".repeat(5000)}end`,
      startedAt: "2026-01-01T00:00:00.000Z",
      finishedAt: "2026-01-01T00:00:01.000Z",
    }),
  );
  assert.equal(rendered.output.length, 4096);
  assert.ok(rendered.output.endsWith("end"));
  assert.equal(actionResultId(JSON.stringify(rendered)), "x");
  assert.equal(actionResultId("garbage"), undefined);
  assert.equal(actionResultId(undefined), undefined);
});
