import type { Agent, ClientRequest, IncomingMessage } from "node:http";

// process.getBuiltinModule keeps node's bundled undici out of processes that load this file (see 5486ab0).
const { Agent: HttpAgent, request: httpRequest } = process.getBuiltinModule("node:http");

/** A key-value pair as etcd's JSON gateway sends it: bytes in base64, int64s as strings, zeros omitted. */
export type EtcdKv = {
  key: string;
  value?: string;
  create_revision?: string;
  mod_revision?: string;
};

export type EtcdHeader = { revision?: string };

export type EtcdWatchResponse = {
  header?: EtcdHeader;
  created?: boolean;
  canceled?: boolean;
  compact_revision?: string;
  cancel_reason?: string;
  events?: Array<{ type?: "PUT" | "DELETE"; kv: EtcdKv; prev_kv?: EtcdKv }>;
};

export const EtcdFailure = {
  /** No endpoint accepted a connection, or one dropped it: the request may or may not have been applied. */
  Unreachable: "Unreachable",
  Timeout: "Timeout",
  /** etcd answered with an error (`etcdMessage` holds its text). */
  Rejected: "Rejected",
} as const;
export type EtcdFailure = (typeof EtcdFailure)[keyof typeof EtcdFailure];

/** A failed call to etcd, with a stable `failure` to branch on. */
export class EtcdError extends Error {
  readonly failure: EtcdFailure;
  /** etcd's own error text, for Rejected. */
  readonly etcdMessage: string;
  constructor(
    failure: EtcdFailure,
    message: string,
    options: { etcdMessage?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "EtcdError";
    this.failure = failure;
    this.etcdMessage = options.etcdMessage ?? "";
  }
}

export type EtcdClientOptions = {
  /** Base URLs (`http://host:port`), tried in order; the one that answered last is tried first. */
  endpoints: readonly string[];
  /** How long one unary call may take, in ms (default 10 000). */
  requestTimeoutMs?: number;
};

/** An open watch stream; `close` ends it without calling `onEnd`. */
export type EtcdStream = { close(): void };

export type EtcdStreamHandlers = {
  onMessage(message: EtcdWatchResponse): void;
  /** The stream ended on its own (etcd closed it, or the connection failed). */
  onEnd(error: EtcdError): void;
};

/** Connection errors that prove the request never reached etcd, so another endpoint may take it. */
const NOT_SENT = new Set([
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * A client of etcd's v3 JSON gateway (`POST /v3/kv/range`, `/v3/watch`, …) over
 * node:http with keep-alive: unary calls share a small connection pool, each
 * watch holds a connection of its own. No dependencies; see ADR 0010.
 */
export class EtcdClient {
  readonly #endpoints: readonly string[];
  readonly #timeoutMs: number;
  readonly #agent: Agent;
  readonly #streams = new Set<ClientRequest>();
  #preferred = 0;

  constructor(options: EtcdClientOptions) {
    if (options.endpoints.length === 0) throw new Error("etcd client: no endpoints");
    this.#endpoints = options.endpoints;
    this.#timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#agent = new HttpAgent({ keepAlive: true, maxSockets: 16 });
  }

  get endpoints(): readonly string[] {
    return this.#endpoints;
  }

  /** Calls `/v3/<method>` with `body`; rejects with an EtcdError. */
  async call<T>(method: string, body: object): Promise<T> {
    const payload = JSON.stringify(body);
    let lastError: EtcdError | undefined;
    for (let attempt = 0; attempt < this.#endpoints.length; attempt++) {
      const index = (this.#preferred + attempt) % this.#endpoints.length;
      try {
        const result = await this.#unary<T>(this.#endpoints[index], method, payload);
        this.#preferred = index;
        return result;
      } catch (error) {
        if (!(error instanceof EtcdError) || !(error.cause instanceof Error) || !isNotSent(error.cause))
          throw error;
        lastError = error;
      }
    }
    throw lastError;
  }

  /** Opens a watch stream on the preferred endpoint with one request (`{ create_request }`). */
  watch(body: object, handlers: EtcdStreamHandlers): EtcdStream {
    const index = this.#preferred;
    const endpoint = this.#endpoints[index];
    let closed = false;
    const end = (error: EtcdError): void => {
      if (closed) return;
      closed = true;
      // The next stream (a watch reconnecting) tries the next endpoint.
      if (error.failure === "Unreachable" && this.#preferred === index) {
        this.#preferred = (index + 1) % this.#endpoints.length;
      }
      this.#streams.delete(req);
      req.destroy();
      handlers.onEnd(error);
    };
    const req = httpRequest(`${endpoint}/v3/watch`, { method: "POST", agent: false });
    this.#streams.add(req);
    req.on("error", (error) => end(unreachable(endpoint, error)));
    req.on("response", (res) => {
      if (res.statusCode !== 200) {
        void readAll(res).then(
          (text) => end(rejected(endpoint, "watch", text)),
          (error) => end(unreachable(endpoint, error)),
        );
        return;
      }
      let buffered = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffered += chunk;
        let newline = buffered.indexOf("\n");
        while (newline >= 0 && !closed) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (line !== "") this.#streamLine(endpoint, line, handlers, end);
          newline = buffered.indexOf("\n");
        }
      });
      res.on("error", (error) => end(unreachable(endpoint, error)));
      res.on("end", () => end(new EtcdError("Unreachable", `etcd at ${endpoint} ended the watch stream`)));
    });
    req.end(JSON.stringify(body));
    return {
      close: () => {
        closed = true;
        this.#streams.delete(req);
        req.destroy();
      },
    };
  }

  /** Ends every stream (without calling their onEnd) and the idle connections. */
  close(): void {
    for (const req of this.#streams) req.destroy();
    this.#streams.clear();
    this.#agent.destroy();
  }

  #streamLine(
    endpoint: string,
    line: string,
    handlers: EtcdStreamHandlers,
    end: (error: EtcdError) => void,
  ): void {
    let parsed: { result?: EtcdWatchResponse; error?: { message?: string } };
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      end(
        new EtcdError("Unreachable", `etcd at ${endpoint} sent a watch message that is not JSON`, {
          cause: error,
        }),
      );
      return;
    }
    if (parsed.result) handlers.onMessage(parsed.result);
    else end(rejected(endpoint, "watch", JSON.stringify(parsed.error ?? parsed)));
  }

  #unary<T>(endpoint: string, method: string, payload: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const req = httpRequest(`${endpoint}/v3/${method}`, {
        method: "POST",
        agent: this.#agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
        timeout: this.#timeoutMs,
      });
      req.on("timeout", () => {
        req.destroy();
        reject(
          new EtcdError(
            "Timeout",
            `etcd at ${endpoint} did not answer ${method} within ${this.#timeoutMs} ms`,
          ),
        );
      });
      req.on("error", (error) => {
        // A keep-alive connection etcd closed meanwhile (a restart): that request was never read.
        if (req.reusedSocket && (error as NodeJS.ErrnoException).code === "ECONNRESET") {
          this.#unary<T>(endpoint, method, payload).then(resolve, reject);
        } else reject(unreachable(endpoint, error));
      });
      req.on("response", (res) => {
        readAll(res).then(
          (text) => {
            if (res.statusCode !== 200) return reject(rejected(endpoint, method, text));
            try {
              resolve(JSON.parse(text) as T);
            } catch (error) {
              reject(
                new EtcdError("Unreachable", `etcd at ${endpoint} sent a ${method} answer that is not JSON`, {
                  cause: error,
                }),
              );
            }
          },
          (error) => reject(unreachable(endpoint, error)),
        );
      });
      req.end(payload);
    });
  }
}

function isNotSent(error: Error): boolean {
  return NOT_SENT.has((error as NodeJS.ErrnoException).code ?? "");
}

function unreachable(endpoint: string, cause: Error): EtcdError {
  return new EtcdError("Unreachable", `etcd at ${endpoint} is unreachable: ${cause.message}`, { cause });
}

function rejected(endpoint: string, method: string, text: string): EtcdError {
  let message = text.trim();
  try {
    const body = JSON.parse(text) as { message?: string; error?: string };
    message = body.message ?? body.error ?? message;
  } catch {
    // Not JSON (a proxy's page?): keep the text.
  }
  return new EtcdError("Rejected", `etcd at ${endpoint} refused ${method}: ${message}`, {
    etcdMessage: message,
  });
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on("data", (chunk: Buffer) => chunks.push(chunk));
    res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    res.on("error", reject);
  });
}
