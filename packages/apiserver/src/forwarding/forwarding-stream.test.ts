import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { after, before, describe, test } from "node:test";
import {
  eventually,
  type HubAndMember,
  hubFetch,
  hubRequest,
  outputOf,
  startHubAndMember,
} from "./hub-and-member.fixture.ts";

const CONFIGMAPS = { group: "", version: "v1", resource: "configmaps", namespaced: true, kind: "ConfigMap" };
const WATCH_PATH = "/clusters/k8s-1/api/v1/namespaces/default/configmaps?watch=1";

function configMap(name: string) {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default" }, data: { n: name } };
}

function responseOf(req: ReturnType<typeof hubRequest>): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    req.once("response", resolve);
    req.once("error", reject);
  });
}

/** Resolves with how the response stream ended: "end" (complete) or "aborted". */
function endingOf(res: IncomingMessage): Promise<"end" | "aborted"> {
  return new Promise((resolve) => {
    res.once("end", () => resolve("end"));
    res.once("error", () => resolve("aborted"));
    res.once("close", () => resolve(res.complete ? "end" : "aborted"));
  });
}

describe("streaming through the hub's member forwarding", () => {
  let env: HubAndMember;
  const memberWatchers = () => env.member.registry.cacher.resource("/registry/core/configmaps/").watcherCount;

  before(async () => {
    env = await startHubAndMember();
  });
  after(async () => {
    await env.stop();
  });

  test("a watch delivers events while open; closing the caller ends the member's watch", async () => {
    const before = memberWatchers();
    const req = hubRequest(env, WATCH_PATH);
    req.end();
    const res = await responseOf(req);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers["content-type"], "application/json");
    const out = outputOf(res);
    await eventually("the member serves the watch", () => memberWatchers() === before + 1);
    const client = env.member.client("test");
    await client.create(CONFIGMAPS, "default", configMap("first"));
    await out.until(/"type":"ADDED","object":\{[^\n]*"name":"first"/);
    await client.create(CONFIGMAPS, "default", configMap("second"));
    await out.until(/"name":"second"/);
    assert.equal(res.complete, false, "the watch response is still open");
    req.destroy();
    await eventually("the member's watch is gone", () => memberWatchers() === before);
  });

  test("the member ending a watch ends the caller's response", async () => {
    const req = hubRequest(env, `${WATCH_PATH}&timeoutSeconds=1`);
    req.end();
    const res = await responseOf(req);
    res.resume();
    const started = Date.now();
    assert.equal(await endingOf(res), "end");
    assert.ok(Date.now() - started < 5000);
  });

  test("the member going away mid-watch aborts the caller's response", async () => {
    const req = hubRequest(env, WATCH_PATH);
    req.end();
    const res = await responseOf(req);
    res.resume();
    await env.member.pause();
    try {
      assert.equal(await endingOf(res), "aborted");
    } finally {
      await env.member.resume();
    }
  });

  test("a request body is streamed to the member as the caller sends it", async () => {
    const body = JSON.stringify(configMap("streamed"));
    const req = hubRequest(env, "/clusters/k8s-1/api/v1/namespaces/default/configmaps", {
      method: "POST",
      headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
    });
    const response = responseOf(req);
    req.write(body.slice(0, 20));
    await new Promise((resolve) => setTimeout(resolve, 100));
    req.end(body.slice(20));
    const res = await response;
    res.resume();
    assert.equal(res.statusCode, 201);
    const stored = await env.member.client("test").get(CONFIGMAPS, "default", "streamed");
    assert.deepEqual(stored?.data, { n: "streamed" });
  });

  test("OpenAPI hash redirects stay behind the prefix and can be followed", async () => {
    const redirect = await hubFetch(env, "/clusters/k8s-1/openapi/v3/api/v1?hash=stale");
    assert.equal(redirect.status, 301);
    const location = String(redirect.headers.location);
    assert.match(location, /^\/clusters\/k8s-1\/openapi\/v3\/api\/v1\?hash=[0-9A-F]+$/i);
    const followed = await hubFetch(env, location);
    assert.equal(followed.status, 200);
    assert.ok(JSON.parse(followed.body).components.schemas);
  });

  test("callers must authenticate to the hub before anything is forwarded", async () => {
    const calls = env.resolver.calls;
    const anonymous = await hubFetch(env, "/clusters/k8s-1/api/v1/namespaces", {
      headers: { authorization: "" },
    });
    assert.equal(anonymous.status, 401);
    const wrong = await hubFetch(env, "/clusters/k8s-1/version", {
      headers: { authorization: "Bearer nope" },
    });
    assert.equal(wrong.status, 401);
    // The member's own token is no good at the hub either.
    const memberToken = await hubFetch(env, "/clusters/k8s-1/version", {
      headers: { authorization: `Bearer ${env.memberTarget.token}` },
    });
    assert.equal(memberToken.status, 401);
    assert.equal(env.resolver.calls, calls);
  });

  test("Status errors: NotFound member, disabled member, unreachable member", async () => {
    const ghost = await hubFetch(env, "/apis/cluster.atoll.io/v1alpha1/memberclusters/ghost/proxy/api");
    assert.equal(ghost.status, 404);
    assert.equal(JSON.parse(ghost.body).reason, "NotFound");
    const down = await hubFetch(env, "/clusters/down/api");
    assert.equal(down.status, 503);
    assert.deepEqual(JSON.parse(down.body), {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "member down is disabled: its MemberCluster has spec.disabled set",
      reason: "ServiceUnavailable",
      code: 503,
    });
    await env.member.pause();
    try {
      for (const method of ["GET", "POST"]) {
        const gone = await hubFetch(env, "/clusters/k8s-1/api/v1/namespaces/default/configmaps", {
          method,
          headers: { "content-type": "application/json" },
          body: method === "POST" ? JSON.stringify(configMap("never")) : undefined,
        });
        assert.equal(gone.status, 503, gone.body);
        assert.match(
          JSON.parse(gone.body).message,
          /^member k8s-1 is unreachable: connect ECONNREFUSED 127\.0\.0\.1:\d+$/,
        );
      }
    } finally {
      await env.member.resume();
    }
    assert.equal((await hubFetch(env, "/clusters/k8s-1/api")).status, 200);
  });
});
