import type * as Http from "node:http";
import * as https from "node:https";
import { text } from "node:stream/consumers";
import { StatusError } from "../errors.ts";
import type { KubeconfigCluster } from "./kubeconfig-data.ts";
import { unreachable } from "./status.ts";

// Not `import … from "node:http"`: its ESM form also loads node's bundled undici (fetch, WebSocket), used or not (nodejs/node#59686).
const http = process.getBuiltinModule("node:http");

/** One HTTP request to the API server. */
export type TransportRequest = {
  method: string;
  /** Path and query, appended to the server URL's own path. */
  path: string;
  body?: string;
  /** Default `application/json` when there is a body. */
  contentType?: string;
  /** Default `application/json`. */
  accept?: string;
  signal?: AbortSignal;
};

/** A complete response, any status. */
export type RawResponse = { status: number; headers: Http.IncomingHttpHeaders; body: string };

const TLS_FIELDS = ["ca", "cert", "key", "pfx", "passphrase", "rejectUnauthorized", "servername"] as const;
type TlsMaterial = Pick<https.AgentOptions, (typeof TLS_FIELDS)[number]>;

/**
 * One kubeconfig context as the transport uses it: the part of client-node's
 * `KubeConfig` it calls, so that a client-node KubeConfig (exec plugins, auth
 * providers, proxies) and Atoll's `StaticCredentials` (no client-node loaded) both serve.
 */
export interface ContextCredentials {
  getCurrentCluster(): KubeconfigCluster | null;
  /** Adds TLS material, headers (Authorization…) and `auth` for the next request; may set a proxy `agent`. */
  applyToHTTPSOptions(options: https.RequestOptions): Promise<void>;
}

/**
 * HTTP(S) to one cluster as a kubeconfig context describes it. The context's
 * credentials supply TLS material and headers for every request (so exec
 * plugins and token files refresh as client-node refreshes them); connections
 * are pooled in one keep-alive agent per client, rebuilt only when the TLS
 * material changes. A cluster with a `proxy-url` uses client-node's own proxy agent instead.
 */
export class Transport {
  #credentials: ContextCredentials;
  #base: URL;
  #userAgent: string;
  #timeoutMs: number;
  #proxied: boolean;
  #agent: Http.Agent | undefined;
  #agentTls: TlsMaterial = {};
  #retired: Http.Agent[] = [];

  constructor(credentials: ContextCredentials, options: { userAgent: string; timeoutMs: number }) {
    const cluster = credentials.getCurrentCluster();
    if (!cluster) throw new Error("kubeconfig context has no cluster");
    this.#credentials = credentials;
    this.#base = new URL(cluster.server);
    this.#proxied = Boolean(cluster.proxyUrl);
    this.#userAgent = options.userAgent;
    this.#timeoutMs = options.timeoutMs;
  }

  /** The cluster URL, without a trailing slash. */
  get server(): string {
    return this.#base.href.replace(/\/$/, "");
  }

  url(path: string): URL {
    return new URL(this.#base.pathname.replace(/\/$/, "") + path, this.#base);
  }

  /**
   * Sends a request and resolves with the response once its headers arrive;
   * the caller reads (or destroys) the body. Fails with ServiceUnavailable when
   * no response arrives within `headersTimeoutMs` (default: the client's).
   * Aborting `request.signal` rejects with its reason before the response
   * arrives, and destroys the response (no 'error' event) after.
   */
  async open(request: TransportRequest, headersTimeoutMs = this.#timeoutMs): Promise<Http.IncomingMessage> {
    const url = this.url(request.path);
    const what = `${request.method} ${url.href}`;
    const applied: https.RequestOptions = {};
    try {
      await this.#credentials.applyToHTTPSOptions(applied);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new StatusError("Unauthorized", `${what}: getting credentials: ${message}`, { cause: error });
    }
    const credentials = isHeaderRecord(applied.headers) ? applied.headers : {};
    const headers: Http.OutgoingHttpHeaders = {
      ...credentials,
      "user-agent": this.#userAgent,
      accept: request.accept ?? "application/json",
    };
    if (request.body !== undefined) {
      headers["content-type"] = request.contentType ?? "application/json";
      headers["content-length"] = Buffer.byteLength(request.body);
    }
    const agent = this.#agentFor(url, applied);
    const send = url.protocol === "https:" ? https.request : http.request;
    const signal = request.signal;
    signal?.throwIfAborted();
    return new Promise((resolve, reject) => {
      let timedOut = false;
      let response: Http.IncomingMessage | undefined;
      const req = send(url, { method: request.method, headers, agent, auth: applied.auth });
      const timer = setTimeout(() => {
        timedOut = true;
        req.destroy();
      }, headersTimeoutMs);
      // Not http.request's own `signal`: aborting a request whose response has
      // completed would destroy its socket back in the pool, with an error nobody hears.
      const onAbort = () => {
        if (response) response.destroy();
        else req.destroy(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      const forget = () => signal?.removeEventListener("abort", onAbort);
      req.once("response", (res) => {
        clearTimeout(timer);
        response = res;
        res.once("close", forget);
        resolve(res);
      });
      req.on("error", (error) => {
        clearTimeout(timer);
        forget();
        if (signal?.aborted) reject(error);
        else reject(unreachable(what, timedOut ? timeoutError(headersTimeoutMs, error) : error));
      });
      req.end(request.body);
    });
  }

  /** Sends a request and reads the whole response, within `timeoutMs` (default: the client's). */
  async exchange(request: TransportRequest, timeoutMs = this.#timeoutMs): Promise<RawResponse> {
    // One timer, cleared when the answer is in: AbortSignal.timeout would fire
    // later for every request anyway (a DOMException with a stack each time —
    // measurable at thousands of requests a second).
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    const outer = request.signal;
    const onAbort = () => deadline.abort(outer?.reason);
    outer?.addEventListener("abort", onAbort, { once: true });
    try {
      outer?.throwIfAborted();
      const res = await this.open({ ...request, signal: deadline.signal }, timeoutMs);
      const body = await text(res);
      return { status: res.statusCode ?? 0, headers: res.headers, body };
    } catch (error) {
      if (outer?.aborted || error instanceof StatusError) throw error;
      const what = `${request.method} ${this.url(request.path).href}`;
      throw unreachable(what, deadline.signal.aborted ? timeoutError(timeoutMs, error) : error);
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onAbort);
    }
  }

  /** Destroys pooled and in-use connections; open watches end with an error. Later requests open new ones. */
  close(): void {
    for (const agent of [...this.#retired, this.#agent]) agent?.destroy();
    this.#retired = [];
    this.#agent = undefined;
  }

  #agentFor(url: URL, applied: https.RequestOptions): Http.Agent | undefined {
    if (this.#proxied && applied.agent instanceof http.Agent) return applied.agent;
    const tls: TlsMaterial = {};
    for (const field of TLS_FIELDS)
      if (applied[field] !== undefined) Object.assign(tls, { [field]: applied[field] });
    if (this.#agent && sameTls(tls, this.#agentTls)) return this.#agent;
    if (this.#agent) this.#retired.push(this.#agent);
    this.#agent =
      url.protocol === "https:"
        ? new https.Agent({ keepAlive: true, ...tls })
        : new http.Agent({ keepAlive: true });
    this.#agentTls = tls;
    return this.#agent;
  }
}

function isHeaderRecord(headers: https.RequestOptions["headers"]): headers is Http.OutgoingHttpHeaders {
  return typeof headers === "object" && headers !== null && !Array.isArray(headers);
}

function sameTls(a: TlsMaterial, b: TlsMaterial): boolean {
  return TLS_FIELDS.every((field) => {
    const x: unknown = a[field];
    const y: unknown = b[field];
    return Buffer.isBuffer(x) && Buffer.isBuffer(y) ? x.equals(y) : x === y;
  });
}

function timeoutError(ms: number, cause: unknown): Error {
  return Object.assign(new Error(`no response within ${ms} ms`, { cause }), { code: "ETIMEDOUT" });
}
