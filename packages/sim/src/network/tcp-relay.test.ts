import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, createServer, type Server, type Socket } from "node:net";
import { test } from "node:test";
import type { Backend } from "./endpoint-source.ts";
import { relay } from "./tcp-relay.ts";

async function listen(server: Server, host: string): Promise<number> {
  server.listen(0, host);
  await once(server, "listening");
  const address = server.address();
  return typeof address === "object" && address ? address.port : 0;
}

/** A proxy front on 127.77.5.1 relaying to whatever `backends` holds, in order. */
async function front(backends: Backend[], sockets: Set<Socket>, halfClosedTimeoutMs?: number) {
  const server = createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) =>
    relay(client, {
      sockets,
      pick: (tried) => backends.find((b) => !tried.has(`${b.ip}:${b.port}`)),
      halfClosedTimeoutMs,
    }),
  );
  return { server, port: await listen(server, "127.77.5.1") };
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

test("half-closes pass through: a backend may answer after the client has finished sending", {
  timeout: 20_000,
}, async () => {
  const backend = createServer({ allowHalfOpen: true }, (socket) => {
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("end", () => socket.end(`got ${Buffer.concat(chunks).toString()}`));
  });
  const backendPort = await listen(backend, "127.77.5.2");
  const sockets = new Set<Socket>();
  const proxy = await front([{ ip: "127.77.5.2", port: backendPort }], sockets);
  try {
    const client = connect({ host: "127.77.5.1", port: proxy.port, allowHalfOpen: true });
    client.end("request");
    const chunks: Buffer[] = [];
    client.on("data", (chunk) => chunks.push(chunk));
    await once(client, "end");
    assert.equal(Buffer.concat(chunks).toString(), "got request");
    client.destroy();
  } finally {
    for (const socket of sockets) socket.destroy();
    await close(proxy.server);
    await close(backend);
  }
});

test("a reset from the backend reaches the client as a reset; no backend at all resets at once", {
  timeout: 20_000,
}, async () => {
  const backend = createServer((socket) => socket.once("data", () => socket.resetAndDestroy()));
  const backendPort = await listen(backend, "127.77.5.3");
  const sockets = new Set<Socket>();
  const proxy = await front([{ ip: "127.77.5.3", port: backendPort }], sockets);
  const empty = await front([], sockets);
  try {
    const client = connect({ host: "127.77.5.1", port: proxy.port });
    client.write("hello");
    const [error] = (await once(client, "error")) as [NodeJS.ErrnoException];
    assert.equal(error.code, "ECONNRESET");
    const refused = connect({ host: "127.77.5.1", port: empty.port });
    const [again] = (await once(refused, "error")) as [NodeJS.ErrnoException];
    assert.equal(again.code, "ECONNRESET");
  } finally {
    for (const socket of sockets) socket.destroy();
    await close(proxy.server);
    await close(empty.server);
    await close(backend);
  }
});

test("a connection one side finished but the other never closes is let go after the half-closed timeout", {
  timeout: 20_000,
}, async () => {
  // A backend that reads to the end and then never closes its side.
  const held: Socket[] = [];
  const backend = createServer({ allowHalfOpen: true }, (socket) => {
    held.push(socket);
    socket.resume();
  });
  const backendPort = await listen(backend, "127.77.5.2");
  const sockets = new Set<Socket>();
  const proxy = await front([{ ip: "127.77.5.2", port: backendPort }], sockets, 300);
  try {
    const client = connect({ host: "127.77.5.1", port: proxy.port, allowHalfOpen: true });
    await once(client, "connect");
    client.end("bye");
    const [closedAt] = await Promise.all([
      once(client, "close").then(() => performance.now()),
      once(client, "finish"),
    ]);
    assert.ok(closedAt > 0);
    const deadline = Date.now() + 5000;
    while (sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(sockets.size, 0, "the relay let go of both sockets");
  } finally {
    for (const socket of held) socket.destroy();
    await close(proxy.server);
    await close(backend);
  }
});
