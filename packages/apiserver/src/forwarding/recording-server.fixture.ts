import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { CertificateAndKey } from "../tls/pki.ts";

/** A request as the target saw it. */
export type RecordedRequest = {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Which TLS connection carried it, counting from 1. */
  connection: number;
};

type Handler = (req: IncomingMessage, res: ServerResponse, recorded: RecordedRequest) => void;

/**
 * An HTTPS server standing in for a member when a test needs to see exactly
 * what arrived: each request is recorded, then answered by `handle` (by
 * default, 200 with the recorded request as JSON).
 */
export class RecordingServer {
  readonly requests: RecordedRequest[] = [];
  handle: Handler = (_req, res, recorded) => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify(recorded));
  };
  /** Sees each request before its body is read. */
  onRequestStart: (req: IncomingMessage) => void = () => {};
  #server: Server;
  #sockets = new Map<Socket, number>();
  #connections = 0;
  url = "";

  private constructor(tls: CertificateAndKey) {
    this.#server = createServer(
      { cert: tls.certPem, key: tls.keyPem, keepAliveTimeout: 60_000 },
      (req, res) => {
        this.onRequestStart(req);
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.once("end", () => {
          const recorded: RecordedRequest = {
            method: req.method ?? "",
            url: req.url ?? "",
            headers: req.headers,
            body: Buffer.concat(chunks).toString(),
            connection: this.#sockets.get(req.socket) ?? 0,
          };
          this.requests.push(recorded);
          this.handle(req, res, recorded);
        });
      },
    );
    this.#server.on("secureConnection", (socket: Socket) => {
      this.#sockets.set(socket, ++this.#connections);
      socket.once("close", () => this.#sockets.delete(socket));
    });
  }

  /** Listens on a free loopback port with `tls` as its serving certificate. */
  static async start(tls: CertificateAndKey): Promise<RecordingServer> {
    const server = new RecordingServer(tls);
    await new Promise<void>((resolve) => server.#server.listen(0, "127.0.0.1", () => resolve()));
    server.url = `https://127.0.0.1:${(server.#server.address() as AddressInfo).port}`;
    return server;
  }

  /** TLS connections accepted so far. */
  get connections(): number {
    return this.#connections;
  }

  /** TLS connections open now. */
  get openConnections(): number {
    return this.#sockets.size;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets.keys()) socket.destroy();
    await closed;
  }
}
