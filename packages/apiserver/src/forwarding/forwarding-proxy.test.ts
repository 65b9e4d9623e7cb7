import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import { loadOrCreateServingPki } from "../tls/pki.ts";
import type { ForwardTarget } from "./forwarding-resolver.ts";
import {
  eventually,
  HUB_TOKEN,
  type HubAndMember,
  hubFetch,
  hubRequest,
  outputOf,
  startHubAndMember,
} from "./hub-and-member.fixture.ts";
import { RecordingServer } from "./recording-server.fixture.ts";

function responseOf(req: ReturnType<typeof hubRequest>): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    req.once("response", resolve);
    req.once("error", reject);
  });
}

describe("what the hub's proxy sends a member and passes back", () => {
  let env: HubAndMember;
  let target: RecordingServer;
  let echo: ForwardTarget;

  before(async () => {
    env = await startHubAndMember();
    const pki = await loadOrCreateServingPki(join(env.dir, "echo-pki"), {
      commonName: "echo",
      hosts: ["127.0.0.1"],
      now: new Date(),
    });
    target = await RecordingServer.start(pki.serving);
    echo = { server: `${target.url}/base`, caPem: pki.ca.certPem, token: "echo-token" };
  });
  beforeEach(() => {
    env.resolver.targets.set("echo", echo);
    target.onRequestStart = () => {};
    target.handle = (_req, res, recorded) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify(recorded));
    };
  });
  after(async () => {
    await target.stop();
    await env.stop();
  });

  test("path and query, chosen headers, the target's token in place of the caller's, X-Forwarded-*", async () => {
    const res = await hubFetch(env, "/clusters/echo/api/v1/pods?limit=5&labelSelector=app%3Dweb", {
      headers: {
        accept: "application/json;as=Table;v=v1;g=meta.k8s.io",
        "user-agent": "kubectl/v1.32.4",
        "if-none-match": '"abc"',
        cookie: "session=secret",
        "impersonate-user": "root",
        "x-forwarded-for": "10.0.0.7",
      },
    });
    assert.equal(res.status, 200);
    const seen = JSON.parse(res.body);
    assert.equal(seen.url, "/base/api/v1/pods?limit=5&labelSelector=app%3Dweb");
    assert.equal(seen.headers.authorization, "Bearer echo-token");
    assert.equal(seen.headers.accept, "application/json;as=Table;v=v1;g=meta.k8s.io");
    assert.equal(seen.headers["user-agent"], "kubectl/v1.32.4");
    assert.equal(seen.headers["if-none-match"], '"abc"');
    assert.equal(seen.headers.cookie, undefined);
    assert.equal(seen.headers["impersonate-user"], undefined);
    assert.equal(seen.headers["x-forwarded-for"], "10.0.0.7, 127.0.0.1");
    assert.equal(seen.headers["x-forwarded-proto"], "https");
    assert.equal(seen.headers["x-forwarded-host"], new URL(env.hub.url).host);
    assert.equal(seen.headers.host, new URL(target.url).host);
    assert.notEqual(JSON.stringify(seen.headers).includes(HUB_TOKEN), true);
  });

  test("status, repeated headers and a member Location come back; hop-by-hop headers do not", async () => {
    target.handle = (_req, res) => {
      res.setHeader("Warning", ['299 - "first"', '299 - "second"']);
      res.setHeader("Location", `${target.url}/base/api/v1/namespaces/x`);
      res.setHeader("Content-Type", "application/json");
      res.setHeader("X-Private", "dropped");
      res.setHeader("Connection", "keep-alive, X-Private");
      res.writeHead(409);
      res.end('{"kind":"Status"}');
    };
    const res = await hubFetch(
      env,
      "/apis/cluster.atoll.io/v1alpha1/memberclusters/echo/proxy/api/v1/namespaces",
    );
    assert.equal(res.status, 409);
    assert.equal(res.body, '{"kind":"Status"}');
    assert.equal(res.headers.warning, '299 - "first", 299 - "second"');
    assert.equal(
      res.headers.location,
      "/apis/cluster.atoll.io/v1alpha1/memberclusters/echo/proxy/api/v1/namespaces/x",
    );
    assert.equal(res.headers["x-private"], undefined);
  });

  test("response chunks reach the caller as the member writes them", async () => {
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    target.handle = (_req, res) => {
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.write("first line\n");
      void released.then(() => res.end("last line\n"));
    };
    const req = hubRequest(env, "/clusters/echo/api/v1/namespaces/default/pods/web/log?follow=true");
    req.end();
    const res = await responseOf(req);
    const out = outputOf(res);
    await out.until(/first line\n$/);
    release();
    await out.until(/first line\nlast line\n$/);
  });

  test("request chunks reach the member as the caller sends them", async () => {
    const firstChunk = new Promise<string>((resolve) => {
      target.onRequestStart = (incoming) =>
        incoming.once("data", (chunk: Buffer) => resolve(chunk.toString()));
    });
    target.handle = (_req, res, recorded) => {
      res.writeHead(201, { "Content-Type": "application/json" });
      res.end(recorded.body);
    };
    const req = hubRequest(env, "/clusters/echo/api/v1/namespaces/default/configmaps", {
      method: "POST",
      headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
    });
    const response = responseOf(req);
    req.write('{"part":');
    assert.equal(await firstChunk, '{"part":', "the first chunk arrives before the caller ends the body");
    req.end("1}");
    const res = await response;
    assert.equal(res.statusCode, 201);
    assert.equal(await outputOf(res).until(/\}$/), '{"part":1}');
  });

  test("a caller leaving before the member answers aborts the member's request", async () => {
    let memberSide: IncomingMessage | undefined;
    target.handle = (req) => {
      memberSide = req;
    };
    const req = hubRequest(env, "/clusters/echo/api/v1/pods");
    req.on("error", () => {});
    req.end();
    await eventually("the member has the request", () => memberSide !== undefined);
    const closed = new Promise<void>((resolve) => memberSide?.socket.once("close", () => resolve()));
    req.destroy();
    await closed;
  });

  test("one keep-alive connection per member; a new token reuses it, new TLS material replaces it", async () => {
    const opened = target.connections;
    for (let i = 0; i < 3; i++) assert.equal((await hubFetch(env, "/clusters/echo/version")).status, 200);
    assert.equal(target.connections, opened + 1);
    env.resolver.targets.set("echo", { ...echo, token: "rotated" });
    const rotated = JSON.parse((await hubFetch(env, "/clusters/echo/version")).body);
    assert.equal(rotated.headers.authorization, "Bearer rotated");
    assert.equal(target.connections, opened + 1);
    env.resolver.targets.set("echo", { ...echo, insecureSkipTLSVerify: true });
    assert.equal(JSON.parse((await hubFetch(env, "/clusters/echo/version")).body).connection, opened + 2);
    await eventually("the old connection is closed", () => target.openConnections === 1);
  });

  test("a member-closed keep-alive connection is retried for GET, not for POST", async () => {
    assert.equal((await hubFetch(env, "/clusters/echo/version")).status, 200);
    const before = target.connections;
    // Answer nothing on the kept-alive connection, as a member that closed it in the meantime.
    target.onRequestStart = (incoming) => {
      if (target.requests.length > 0 && target.connections === before) incoming.socket.destroy();
    };
    const get = await hubFetch(env, "/clusters/echo/version");
    assert.equal(get.status, 200);
    assert.equal(target.connections, before + 1);
    const after = target.connections;
    target.onRequestStart = (incoming) => {
      if (target.connections === after) incoming.socket.destroy();
    };
    const post = await hubFetch(env, "/clusters/echo/api/v1/namespaces", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(post.status, 503);
    assert.match(
      JSON.parse(post.body).message,
      /^member echo is unreachable: (socket hang up|read ECONNRESET)/,
    );
  });

  test("a member whose certificate the target's CA does not sign is unreachable, saying why", async () => {
    env.resolver.targets.set("echo", { ...echo, caPem: env.hubCaPem });
    const res = await hubFetch(env, "/clusters/echo/version");
    assert.equal(res.status, 503);
    assert.match(JSON.parse(res.body).message, /^member echo is unreachable: .*certificate/);
  });

  test("upgrade requests get a 400 Status saying the hub proxy does not carry them", async () => {
    const res = await hubFetch(env, "/clusters/echo/api/v1/namespaces/default/pods/web/exec?command=sh", {
      method: "POST",
      headers: { connection: "Upgrade", upgrade: "websocket" },
    });
    assert.equal(res.status, 400);
    assert.match(JSON.parse(res.body).message, /not supported through the hub proxy/);
    assert.equal(
      target.requests.some((r) => r.url.includes("/exec")),
      false,
    );
  });
});
