// The pods' processes in `npm run bench:network`, in a child process of their own, so neither the
// load generator nor the proxy shares their event loop. Over IPC the benchmark asks for a listener
// on a pod IP, of one of two kinds, and gets its port back:
// - echo: answers each message with `<reply>:<message>` (as the network tests' echo pods do);
// - sink: reads to end-of-stream, then answers with the number of bytes read and closes.
// It exits when the benchmark goes (the IPC channel closes).
import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import type { BackendReply, BackendRequest } from "./backend.ts";

const servers: Server[] = [];
const sockets = new Set<Socket>();

function serveEcho(socket: Socket, reply: string): void {
  socket.on("data", (data) => socket.write(`${reply}:${data.toString()}`));
}

function serveSink(socket: Socket): void {
  let bytes = 0;
  socket.on("data", (data) => {
    bytes += data.length;
  });
  socket.once("end", () => socket.end(`${bytes}\n`));
}

async function listen(request: BackendRequest): Promise<number> {
  // The sink answers after the client's end-of-stream, so it must stay open half-closed; the echo
  // server closes when the client does, as a well-behaved server would (a half-closed backend keeps the
  // proxy's pair of sockets open for good).
  const server = createServer({ allowHalfOpen: request.kind === "sink" }, (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    if (request.kind === "echo") serveEcho(socket, request.reply);
    else serveSink(socket);
  });
  server.listen(0, request.host);
  await once(server, "listening");
  servers.push(server);
  const address = server.address();
  return typeof address === "object" && address ? address.port : 0;
}

process.on("message", (message: BackendRequest) => {
  listen(message).then(
    (port) => process.send?.({ id: message.id, port } satisfies BackendReply),
    (error: unknown) => process.send?.({ id: message.id, error: String(error) } satisfies BackendReply),
  );
});

process.once("disconnect", () => {
  for (const socket of sockets) socket.destroy();
  for (const server of servers) server.close();
  process.exit(0);
});
process.once("SIGTERM", () => process.exit(0));
process.send?.({ id: 0, port: 0 } satisfies BackendReply);
