import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { loadTokenFile } from "../http/auth.ts";
import { startTestServer, type TestServer } from "./harness.ts";
import { httpClient, type Response } from "./http-client.ts";

let env: TestServer;
let request: ReturnType<typeof httpClient>;
let keepRv = "";
const CM = "/api/v1/namespaces/default/configmaps";

before(async () => {
  env = await startTestServer();
  request = httpClient(env.url);
  const created = await request(CM, {
    method: "POST",
    body: { metadata: { name: "keep" }, data: { a: "1" } },
  });
  assert.equal(created.status, 201);
  keepRv = (created.body.metadata as { resourceVersion: string }).resourceVersion;
});
after(async () => {
  await env.stop();
});

function assertStatus(response: Response, code: number, reason: string): void {
  assert.equal(response.status, code, response.text);
  assert.equal(response.body.kind, "Status", response.text);
  assert.equal(response.body.apiVersion, "v1");
  assert.equal(response.body.status, "Failure");
  assert.equal(response.body.code, code);
  assert.equal(response.body.reason, reason);
  assert.equal(typeof response.body.message, "string");
  assert.doesNotMatch(response.text, /\n\s+at /, "no stack traces");
}

/** The object `keep` as it was before the bad request: nothing half-applied. */
async function assertUntouched(): Promise<void> {
  const current = await request(`${CM}/keep`);
  assert.deepEqual(current.body.data, { a: "1" });
  assert.equal((current.body.metadata as { resourceVersion: string }).resourceVersion, keepRv);
}

describe("malformed bodies are 400 BadRequest", () => {
  test("malformed JSON on create and update", async () => {
    assertStatus(await request(CM, { method: "POST", raw: '{"metadata": {"name": "x"' }), 400, "BadRequest");
    assertStatus(await request(`${CM}/keep`, { method: "PUT", raw: "{not json" }), 400, "BadRequest");
    await assertUntouched();
  });
  test("malformed YAML", async () => {
    const response = await request(CM, {
      method: "POST",
      raw: "metadata: [unclosed",
      contentType: "application/yaml",
    });
    assertStatus(response, 400, "BadRequest");
  });
  test("a body that is not an object", async () => {
    assertStatus(await request(CM, { method: "POST", raw: "[1,2]" }), 400, "BadRequest");
  });
  test("malformed patches of every type", async () => {
    for (const contentType of [
      "application/merge-patch+json",
      "application/json-patch+json",
      "application/strategic-merge-patch+json",
    ]) {
      assertStatus(
        await request(`${CM}/keep`, { method: "PATCH", raw: "{oops", contentType }),
        400,
        "BadRequest",
      );
    }
    const apply = await request(`${CM}/keep?fieldManager=t`, {
      method: "PATCH",
      raw: "a: [b",
      contentType: "application/apply-patch+yaml",
    });
    assertStatus(apply, 400, "BadRequest");
    await assertUntouched();
  });
  test("apply without a field manager", async () => {
    const response = await request(`${CM}/keep`, {
      method: "PATCH",
      raw: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: keep}\n",
      contentType: "application/apply-patch+yaml",
    });
    assertStatus(response, 400, "BadRequest");
  });
  test("strict field validation names the unknown field", async () => {
    const response = await request(`${CM}?fieldValidation=Strict`, {
      method: "POST",
      body: { metadata: { name: "strict" }, data: {}, bogus: true },
    });
    assertStatus(response, 400, "BadRequest");
    assert.match(String(response.body.message), /unknown field "bogus"/);
    assert.equal((await request(`${CM}/strict`)).status, 404);
  });
  test("bad selectors, dry run values and resource versions", async () => {
    assertStatus(await request(`${CM}?labelSelector=a%20in%20(b`), 400, "BadRequest");
    assertStatus(await request(`${CM}?fieldSelector=spec.nope%3D1`), 400, "BadRequest");
    assertStatus(
      await request(`${CM}?dryRun=Some`, { method: "POST", body: { metadata: { name: "d" } } }),
      400,
      "BadRequest",
    );
    assertStatus(await request(`${CM}?resourceVersion=abc`), 400, "BadRequest");
    assertStatus(await request(`${CM}?limit=1&continue=not-a-token`), 400, "BadRequest");
  });
});

describe("unknown things are 404 NotFound", () => {
  test("unknown resource, group, version and object", async () => {
    assertStatus(await request("/api/v1/namespaces/default/widgets"), 404, "NotFound");
    assertStatus(await request("/apis/nope.example.com/v1/things"), 404, "NotFound");
    assertStatus(await request("/apis/apps/v9/deployments"), 404, "NotFound");
    const missing = await request(`${CM}/missing`);
    assertStatus(missing, 404, "NotFound");
    assert.equal(missing.body.message, 'configmaps "missing" not found');
    assert.deepEqual(missing.body.details, { name: "missing", group: "", kind: "configmaps" });
  });
  test("creating in a namespace that does not exist", async () => {
    const response = await request("/api/v1/namespaces/ghost/configmaps", {
      method: "POST",
      body: { metadata: { name: "x" } },
    });
    assertStatus(response, 404, "NotFound");
    assert.match(String(response.body.message), /namespaces "ghost" not found/);
  });
});

describe("content negotiation", () => {
  test("an unsupported request content type is 415", async () => {
    const response = await request(CM, { method: "POST", raw: "<xml/>", contentType: "application/xml" });
    assertStatus(response, 415, "UnsupportedMediaType");
    const patch = await request(`${CM}/keep`, { method: "PATCH", raw: "{}", contentType: "text/plain" });
    assertStatus(patch, 415, "UnsupportedMediaType");
    await assertUntouched();
  });
  test("an unsupported Accept is 406", async () => {
    assertStatus(await request(`${CM}/keep`, { accept: "application/xml" }), 406, "NotAcceptable");
  });
  test("a method the resource does not support is 405", async () => {
    assertStatus(await request(CM, { method: "PUT", body: {} }), 405, "MethodNotAllowed");
  });
});

describe("conflicts", () => {
  test("creating an existing object is 409 AlreadyExists", async () => {
    const response = await request(CM, { method: "POST", body: { metadata: { name: "keep" } } });
    assertStatus(response, 409, "AlreadyExists");
    assert.equal(response.body.message, 'configmaps "keep" already exists');
    await assertUntouched();
  });
  test("a stale resourceVersion is 409 Conflict", async () => {
    const stale = { metadata: { name: "keep", resourceVersion: "1" }, data: { a: "changed" } };
    const response = await request(`${CM}/keep`, { method: "PUT", body: stale });
    assertStatus(response, 409, "Conflict");
    assert.match(String(response.body.message), /the object has been modified/);
    await assertUntouched();
  });
  test("a delete precondition that does not hold is 409 Conflict", async () => {
    const response = await request(`${CM}/keep`, {
      method: "DELETE",
      body: { preconditions: { uid: "wrong" } },
    });
    assertStatus(response, 409, "Conflict");
    await assertUntouched();
  });
});

describe("validation failures are 422 Invalid with causes", () => {
  test("a pod without containers names the field", async () => {
    const response = await request("/api/v1/namespaces/default/pods", {
      method: "POST",
      body: { metadata: { name: "p" }, spec: {} },
    });
    assertStatus(response, 422, "Invalid");
    const causes = (response.body.details as { causes: Array<{ field: string; reason: string }> }).causes;
    assert.deepEqual(causes, [
      { reason: "FieldValueRequired", field: "spec.containers", message: "Required value" },
    ]);
  });
  test("an invalid name", async () => {
    const response = await request(CM, { method: "POST", body: { metadata: { name: "Bad_Name" } } });
    assertStatus(response, 422, "Invalid");
    assert.equal(
      (response.body.details as { causes: Array<{ field: string }> }).causes[0].field,
      "metadata.name",
    );
  });
  test("a deployment whose selector does not match its template", async () => {
    const response = await request("/apis/apps/v1/namespaces/default/deployments", {
      method: "POST",
      body: {
        metadata: { name: "d" },
        spec: {
          selector: { matchLabels: { app: "a" } },
          template: { metadata: { labels: { app: "b" } }, spec: { containers: [{ name: "c", image: "i" }] } },
        },
      },
    });
    assertStatus(response, 422, "Invalid");
    assert.match(String(response.body.message), /spec.template.metadata.labels/);
  });
  test("a failing JSON patch test operation changes nothing", async () => {
    const response = await request(`${CM}/keep`, {
      method: "PATCH",
      raw: JSON.stringify([
        { op: "replace", path: "/data/a", value: "2" },
        { op: "test", path: "/data/a", value: "nope" },
      ]),
      contentType: "application/json-patch+json",
    });
    assertStatus(response, 422, "Invalid");
    await assertUntouched();
  });
});

describe("limits", () => {
  test("a body over the size limit is 413", async () => {
    const big = "x".repeat(4 * 1024 * 1024);
    const response = await request(CM, {
      method: "POST",
      body: { metadata: { name: "big" }, data: { big } },
    });
    assertStatus(response, 413, "RequestEntityTooLarge");
    assert.equal((await request(`${CM}/big`)).status, 404);
  });
  test("a watch from a compacted-away resourceVersion gets 410 Expired", async () => {
    const tiny = await startTestServer({ watchHistory: 2 });
    try {
      const client = httpClient(tiny.url);
      for (let i = 0; i < 6; i++) await client(CM, { method: "POST", body: { metadata: { name: `c${i}` } } });
      const response = await fetch(`${tiny.url}${CM}?watch=true&resourceVersion=1`);
      const text = await response.text();
      const event = JSON.parse(text.trim().split("\n")[0]) as {
        type: string;
        object: Record<string, unknown>;
      };
      assert.equal(event.type, "ERROR");
      assert.equal(event.object.code, 410);
      assert.equal(event.object.reason, "Expired");
    } finally {
      await tiny.stop();
    }
  });
});

describe("authentication", () => {
  test("requests without a valid token get 401; health and version stay public", async () => {
    const file = join(env.dir, "tokens.csv");
    await writeFile(file, 'secret-token,alice,1001,"system:masters,dev"\n');
    const secured = await startTestServer({ authenticator: await loadTokenFile(file) });
    try {
      const client = httpClient(secured.url);
      assertStatus(await client(CM), 401, "Unauthorized");
      assertStatus(await client(CM, { token: "wrong" }), 401, "Unauthorized");
      assert.equal((await client(CM, { token: "secret-token" })).status, 200);
      assert.equal((await client("/healthz")).status, 200);
      assert.equal((await client("/version")).status, 200);
    } finally {
      await secured.stop();
    }
  });
});
