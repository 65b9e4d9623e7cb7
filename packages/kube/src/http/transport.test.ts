import assert from "node:assert/strict";
import { createServer as createHttpServer } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { describe, test } from "node:test";
import { KubeConfig } from "@kubernetes/client-node";
import type { ResourceId } from "../client.ts";
import { StatusError } from "../errors.ts";
import { HttpKubeClient, KubeconfigError } from "../http-client.ts";
import { rejectsWith } from "./test-api-server.ts";

const configmaps: ResourceId = {
  group: "",
  version: "v1",
  resource: "configmaps",
  namespaced: true,
  kind: "ConfigMap",
};

describe("HttpKubeClient against stand-in servers", () => {
  test("speaks plain HTTP with the kubeconfig's credentials over one kept-alive connection", async () => {
    let connections = 0;
    const authorizations: Array<string | undefined> = [];
    const server = createHttpServer((req, res) => {
      authorizations.push(req.headers.authorization);
      if (req.url?.endsWith("/busy")) {
        res.writeHead(503, { "content-type": "text/plain" }).end("overloaded, try later");
      } else if (req.url?.endsWith("/gateway")) {
        res.writeHead(502, { "content-type": "text/html" }).end("<html>bad gateway</html>");
      } else {
        res.writeHead(200, { "content-type": "application/json" }).end('{"metadata":{"name":"x"}}');
      }
    });
    server.on("connection", () => connections++);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${portOf(server)}`;
    const bearer = HttpKubeClient.fromKubeconfigText(kubeconfigFor(url, { insecure: false }));
    const basic = HttpKubeClient.fromKubeconfigText(kubeconfigFor(url, { insecure: false }), {
      context: "basic",
    });
    try {
      for (let i = 0; i < 5; i++) {
        const object = await bearer.get(configmaps, "default", "x");
        assert.deepEqual([object?.apiVersion, object?.kind], ["v1", "ConfigMap"]);
      }
      assert.equal(connections, 1);
      await basic.get(configmaps, "default", "x");
      assert.deepEqual(
        new Set(authorizations),
        new Set(["Bearer t", `Basic ${Buffer.from("ann:secret").toString("base64")}`]),
      );

      const busy = await rejectsWith(bearer.get(configmaps, "default", "busy"), "ServiceUnavailable");
      assert.match(busy.message, /503 Service Unavailable: overloaded, try later$/);
      await rejectsWith(bearer.get(configmaps, "default", "gateway"), "InternalError");
    } finally {
      bearer.close();
      basic.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test("connection refused is ServiceUnavailable, quickly, with the original as cause", async () => {
    const port = await freePort();
    const client = HttpKubeClient.fromKubeconfigText(kubeconfigFor(`https://127.0.0.1:${port}`));
    const started = performance.now();
    const error = await rejectsWith(client.get(configmaps, "default", "x"), "ServiceUnavailable");
    assert.ok(performance.now() - started < 2000);
    assert.equal(error.code, 503);
    assert.match(
      error.message,
      new RegExp(
        `^GET https://127\\.0\\.0\\.1:${port}/api/v1/.*connect ECONNREFUSED 127\\.0\\.0\\.1:${port}$`,
      ),
    );
    assert.equal((error.cause as { code?: string }).code, "ECONNREFUSED");
    const closed = await new Promise<unknown>((resolve) =>
      client.watch(configmaps, {}, { onEvent() {}, onClose: resolve }),
    );
    assert.ok(closed instanceof StatusError && closed.reason === "ServiceUnavailable");
  });

  test("a server that never answers times out as ServiceUnavailable", async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const client = HttpKubeClient.fromKubeconfigText(kubeconfigFor(`https://127.0.0.1:${portOf(silent)}`), {
        timeoutMs: 200,
      });
      const error = await rejectsWith(client.list(configmaps), "ServiceUnavailable");
      assert.match(error.message, /no response within 200 ms/);
      client.close();
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  test("a body that stops half-way times out too, within the request's time", async () => {
    const server = createHttpServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"metadata":');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const client = HttpKubeClient.fromKubeconfigText(kubeconfigFor(`http://127.0.0.1:${portOf(server)}`), {
      timeoutMs: 300,
    });
    try {
      const started = performance.now();
      const error = await rejectsWith(client.get(configmaps, "default", "x"), "ServiceUnavailable");
      assert.match(error.message, /no response within 300 ms/);
      assert.ok(performance.now() - started < 2000);
    } finally {
      client.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test("a context is chosen without changing the caller's KubeConfig", () => {
    const kc = new KubeConfig();
    kc.loadFromString(kubeconfigFor("https://127.0.0.1:1"));
    const client = HttpKubeClient.fromKubeConfig(kc, { context: "basic" });
    assert.equal(client.server, "https://127.0.0.1:1");
    assert.equal(kc.getCurrentContext(), "test");
  });

  test("a kubeconfig that cannot give a client is a KubeconfigError with a reason", () => {
    const problem = (text: string, context?: string) => {
      try {
        HttpKubeClient.fromKubeconfigText(text, { context });
      } catch (error) {
        assert.ok(error instanceof KubeconfigError, String(error));
        return [error.reason, error.message];
      }
      assert.fail("expected a KubeconfigError");
    };
    assert.deepEqual(problem(kubeconfigFor("https://127.0.0.1:1"), "k8s-9"), [
      "ContextNotFound",
      'context "k8s-9" not found in kubeconfig (contexts: "test", "basic")',
    ]);
    const [reason, message] = problem("clusters: [unclosed");
    assert.equal(reason, "Unreadable");
    assert.match(message, /^unreadable kubeconfig: /);
    assert.equal(problem(kubeconfigFor("127.0.0.1:6443"))[0], "InvalidServer");
    assert.equal(problem("apiVersion: v1\nkind: Config\n")[0], "NoCurrentContext");
    const dangling = kubeconfigFor("https://127.0.0.1:1").replace("user: ann}", "user: bob}");
    assert.deepEqual(problem(dangling, "basic"), [
      "UserNotFound",
      'context "basic" refers to user "bob", which the kubeconfig does not define',
    ]);
  });
});

function kubeconfigFor(server: string, options: { insecure?: boolean } = {}): string {
  return `apiVersion: v1
clusters: [{name: test, cluster: {server: "${server}", insecure-skip-tls-verify: ${options.insecure ?? true}}}]
users: [{name: u, user: {token: t}}, {name: ann, user: {username: ann, password: secret}}]
contexts: [{name: test, context: {cluster: test, user: u}}, {name: basic, context: {cluster: test, user: ann}}]
current-context: test
`;
}

function portOf(server: Server): number {
  const address = server.address();
  assert.ok(address && typeof address === "object");
  return address.port;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = portOf(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}
