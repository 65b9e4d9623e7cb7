import assert from "node:assert/strict";
import { createServer as createHttpServer, request } from "node:http";
import { type AddressInfo, createServer, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { sendError } from "../http/respond.ts";
import { ForwardingProxy } from "./forwarding-proxy.ts";
import { eventually } from "./hub-and-member.fixture.ts";

/** A member that accepts TCP connections and then never speaks TLS. */
describe("ForwardingProxy connect timeout", () => {
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => {
    sockets.add(socket);
    // Read (and ignore) the ClientHello, so the client's close is seen.
    socket.resume();
    socket.once("close", () => sockets.delete(socket));
  });
  let proxy: ForwardingProxy;
  const hub = createHttpServer((req, res) => {
    proxy
      .forward(req, res, new URL(req.url ?? "/", "http://hub"))
      .catch((error: unknown) => sendError(res, error));
  });

  before(async () => {
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    await new Promise<void>((resolve) => hub.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as AddressInfo).port;
    proxy = new ForwardingProxy({
      connectTimeoutMs: 200,
      resolver: { resolve: async () => ({ server: `https://127.0.0.1:${port}` }) },
    });
  });
  after(async () => {
    proxy.close();
    hub.closeAllConnections();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => hub.close(resolve));
    await new Promise((resolve) => silent.close(resolve));
  });

  test("a member stalled in the TLS handshake is unreachable after connectTimeoutMs", async () => {
    const started = Date.now();
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const port = (hub.address() as AddressInfo).port;
      const req = request({ host: "127.0.0.1", port, path: "/clusters/slow/api" }, (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => {
          body += chunk;
        });
        res.once("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.once("error", reject);
      req.end();
    });
    assert.equal(status, 503);
    assert.equal(JSON.parse(body).message, "member slow is unreachable: connect timed out after 200 ms");
    assert.ok(Date.now() - started < 5000);
    await eventually("the stalled connection is closed", () => sockets.size === 0);
  });
});
