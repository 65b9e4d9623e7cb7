import { Pool } from "undici";

/** No single request of the benchmark should take this long; one that does fails rather than hangs. */
const REQUEST_TIMEOUT_MS = 30_000;

export type ObjectRef = { name: string; resourceVersion: string };

export type Reply = { status: number; text: string };

/** The failed request and the Status reason the server gave, when it gave one. */
export class RequestError extends Error {
  readonly status: number;
  constructor(method: string, path: string, reply: Reply) {
    super(`${method} ${path}: HTTP ${reply.status} ${reasonOf(reply.text)}`);
    this.status = reply.status;
  }
}

/**
 * A JSON client for one API server over a pool of keep-alive connections;
 * `connections` bounds how many requests are on the wire at once.
 */
export class KubeClient {
  #pool: Pool;

  constructor(url: string, connections: number) {
    this.#pool = new Pool(url, {
      connections,
      pipelining: 1,
      keepAliveTimeout: 60_000,
      headersTimeout: REQUEST_TIMEOUT_MS,
      bodyTimeout: REQUEST_TIMEOUT_MS,
    });
  }

  /** Sends a request and returns the reply, throwing `RequestError` on any status outside 2xx. */
  async send(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<Reply> {
    const response = await this.#pool.request({
      method: method as "GET",
      path,
      headers: body === undefined ? {} : { "content-type": contentType },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const reply = { status: response.statusCode, text: await response.body.text() };
    if (reply.status < 200 || reply.status >= 300) throw new RequestError(method, path, reply);
    return reply;
  }

  /** GETs `path` and returns only the body's size, so timing excludes parsing on the client. */
  async getBytes(path: string): Promise<number> {
    const response = await this.#pool.request({ method: "GET", path });
    let bytes = 0;
    for await (const chunk of response.body) bytes += (chunk as Buffer).length;
    if (response.statusCode !== 200) throw new Error(`GET ${path}: HTTP ${response.statusCode}`);
    return bytes;
  }

  async getJson(path: string): Promise<unknown> {
    return JSON.parse((await this.send("GET", path)).text);
  }

  /** Creates the namespace, or leaves it as it is if it exists. */
  async ensureNamespace(name: string): Promise<void> {
    const body = { apiVersion: "v1", kind: "Namespace", metadata: { name } };
    try {
      await this.send("POST", "/api/v1/namespaces", body);
    } catch (error) {
      if (!(error instanceof RequestError && error.status === 409)) throw error;
    }
  }

  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}

/** The name and resourceVersion of the object in a reply. */
export function refOf(reply: Reply): ObjectRef {
  const metadata = recordAt(JSON.parse(reply.text), "metadata");
  const { name, resourceVersion } = metadata;
  if (typeof name !== "string" || typeof resourceVersion !== "string") {
    throw new Error(`reply has no metadata.name and metadata.resourceVersion: ${reply.text.slice(0, 200)}`);
  }
  return { name, resourceVersion };
}

/** `value[key]` if it is an object, else an empty one. */
export function recordAt(value: unknown, key: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null) return {};
  const field = (value as Record<string, unknown>)[key];
  return typeof field === "object" && field !== null ? (field as Record<string, unknown>) : {};
}

function reasonOf(text: string): string {
  try {
    const status: unknown = JSON.parse(text);
    const { reason, message } = status as { reason?: unknown; message?: unknown };
    return `${String(reason)}: ${String(message)}`;
  } catch {
    return text.slice(0, 200);
  }
}
