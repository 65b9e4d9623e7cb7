import type { Agent, ClientRequest, IncomingMessage, ServerResponse } from "node:http";
import { request as httpsRequest } from "node:https";
import { pipeline } from "node:stream/promises";
import { TLSSocket } from "node:tls";
import { StatusError } from "../api/errors.ts";
import { AgentPool } from "./agent-pool.ts";
import { downstreamResponseHeaders, upstreamRequestHeaders } from "./forward-headers.ts";
import { type ForwardPath, parseForwardPath } from "./forward-path.ts";
import type { ForwardingResolver, ForwardTarget } from "./forwarding-resolver.ts";

// Not `import … from "node:http"`: its ESM form also loads node's bundled undici (fetch, WebSocket), used or not (nodejs/node#59686).
const { request } = process.getBuiltinModule("node:http");

/** What the router asks of a forwarder, checked after authentication and before resource routing. */
export interface RequestForwarder {
  /**
   * Forwards `req` when `url` is a forwarding path and resolves once the
   * exchange is over (a watch: when either side closes); resolves false,
   * touching nothing, for any other path. Throws a `StatusError` when it fails
   * before the member's response has started.
   */
  forward(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  /** Closes every connection to members. */
  close(): void;
}

export type ForwardingProxyOptions = {
  resolver: ForwardingResolver;
  /** A member that accepts no connection within this long is unreachable (default 10,000 ms). */
  connectTimeoutMs?: number;
};

const REPLAYABLE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Forwards `/clusters/{name}/…` and
 * `/apis/cluster.atoll.io/v1alpha1/memberclusters/{name}/proxy/…` to the
 * member the resolver names, as the target's credentials (never the
 * caller's). Bodies stream both ways without buffering, so watches and
 * followed logs flow as they are written; when the caller goes away the
 * member's request is aborted, and when the member goes away so is the
 * caller's response.
 *
 * Failures before the member answers are Status errors: the resolver's own
 * (NotFound, ServiceUnavailable), 503 `member X is unreachable: …` for
 * transport errors, and 400 for protocol upgrades (exec, attach,
 * port-forward), which this proxy does not carry.
 */
export class ForwardingProxy implements RequestForwarder {
  #resolver: ForwardingResolver;
  #connectTimeoutMs: number;
  #agents = new AgentPool();

  constructor(options: ForwardingProxyOptions) {
    this.#resolver = options.resolver;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  }

  async forward(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const match = parseForwardPath(url.pathname);
    if (!match) return false;
    if (req.headers.upgrade !== undefined) {
      throw new StatusError(
        "BadRequest",
        `upgrade requests (exec, attach, port-forward) are not supported through the hub proxy: connect to member ${match.cluster} directly`,
      );
    }
    const target = await this.#resolve(match.cluster);
    await this.#exchange(req, res, { match, target, search: url.search });
    return true;
  }

  close(): void {
    this.#agents.close();
  }

  async #resolve(member: string): Promise<ForwardTarget> {
    let target: ForwardTarget;
    try {
      target = await this.#resolver.resolve(member);
    } catch (error) {
      this.#agents.forget(member);
      if (error instanceof StatusError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new StatusError("InternalError", `failed to resolve member ${member}: ${message}`, {
        cause: error,
      });
    }
    if (!URL.canParse(target.server) || !/^https?:$/.test(new URL(target.server).protocol)) {
      throw new StatusError("InternalError", `member ${member} has an invalid server URL "${target.server}"`);
    }
    return target;
  }

  async #exchange(
    req: IncomingMessage,
    res: ServerResponse,
    exchange: { match: ForwardPath; target: ForwardTarget; search: string },
  ): Promise<void> {
    const { match, target } = exchange;
    const replayable = REPLAYABLE_METHODS.has(req.method ?? "GET") && !hasBody(req);
    const lease = this.#agents.lease(match.cluster, target);
    try {
      let upstream: IncomingMessage;
      try {
        upstream = await this.#send(req, res, { ...exchange, agent: lease.agent, replayable });
      } catch (error) {
        // A keep-alive connection the member had already closed: Node's documented retry case.
        if (!replayable || !(error instanceof StaleConnectionError)) throw error;
        upstream = await this.#send(req, res, { ...exchange, agent: lease.agent, replayable });
      }
      res.writeHead(
        upstream.statusCode ?? 502,
        downstreamResponseHeaders(upstream, { prefix: match.prefix, server: target.server }),
      );
      res.flushHeaders();
      // A failure here means one side went away mid-stream; pipeline has destroyed both.
      await pipeline(upstream, res).catch(() => {});
    } finally {
      lease.release();
    }
  }

  /** Sends the request and resolves with the member's response head. */
  #send(
    req: IncomingMessage,
    res: ServerResponse,
    exchange: {
      match: ForwardPath;
      target: ForwardTarget;
      search: string;
      agent: Agent;
      replayable: boolean;
    },
  ): Promise<IncomingMessage> {
    const { match, target, agent } = exchange;
    const server = new URL(target.server);
    const send = server.protocol === "https:" ? httpsRequest : request;
    const upstreamReq: ClientRequest = send({
      agent,
      protocol: server.protocol,
      hostname: server.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: server.port || undefined,
      method: req.method,
      path: `${server.pathname.replace(/\/+$/, "")}${match.path}${exchange.search}`,
      headers: upstreamRequestHeaders(req, target),
    });
    let abandoned = false;
    const abandon = () => {
      if (res.writableFinished) return;
      abandoned = true;
      upstreamReq.destroy();
    };
    res.once("close", abandon);
    return new Promise<IncomingMessage>((resolve, reject) => {
      let connectTimer: NodeJS.Timeout | undefined;
      upstreamReq.once("socket", (socket) => {
        if (!socket.connecting) return;
        connectTimer = setTimeout(
          () => upstreamReq.destroy(new Error(`connect timed out after ${this.#connectTimeoutMs} ms`)),
          this.#connectTimeoutMs,
        );
        // Connected means handshaken: a member can accept TCP and then stall in TLS.
        socket.once(socket instanceof TLSSocket ? "secureConnect" : "connect", () =>
          clearTimeout(connectTimer),
        );
      });
      upstreamReq.once("response", (upstream) => {
        clearTimeout(connectTimer);
        upstream.once("close", () => res.off("close", abandon));
        resolve(upstream);
      });
      // `on`, not `once`: an error after the response head must not go unhandled.
      upstreamReq.on("error", (error: NodeJS.ErrnoException) => {
        clearTimeout(connectTimer);
        res.off("close", abandon);
        req.unpipe(upstreamReq);
        if (
          !abandoned &&
          upstreamReq.reusedSocket &&
          (error.code === "ECONNRESET" || error.code === "EPIPE")
        ) {
          reject(new StaleConnectionError(match.cluster, error));
          return;
        }
        reject(unreachable(match.cluster, error));
      });
      // pipe, not pipeline: a failed upstream must leave the caller's connection open for the 503.
      if (exchange.replayable) upstreamReq.end();
      else req.pipe(upstreamReq);
    });
  }
}

class StaleConnectionError extends StatusError {
  constructor(member: string, cause: Error) {
    super("ServiceUnavailable", `member ${member} is unreachable: ${cause.message}`, { cause });
  }
}

function unreachable(member: string, cause: Error): StatusError {
  return new StatusError("ServiceUnavailable", `member ${member} is unreachable: ${cause.message}`, {
    cause,
  });
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}
