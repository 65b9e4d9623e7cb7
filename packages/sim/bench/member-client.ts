import { readFile } from "node:fs/promises";
import { Pool } from "undici";
import { parse } from "yaml";

/** No single request of the benchmark should take this long; one that does fails rather than hangs. */
const REQUEST_TIMEOUT_MS = 30_000;

/** A failed request, with the HTTP status and the Status reason the server gave. */
export class RequestError extends Error {
  readonly status: number;
  constructor(method: string, path: string, status: number, text: string) {
    super(`${method} ${path}: HTTP ${status} ${text.slice(0, 300)}`);
    this.status = status;
  }
}

/** One chunk of a watch stream, already split into lines. */
export type WatchLineHandler = (line: string) => void;

/**
 * A JSON client for one member's API server, configured from the kubeconfig
 * `atoll sim` wrote (server URL, CA and bearer token), over keep-alive connections.
 */
export class MemberClient {
  #pool: Pool;
  #auth: string;

  private constructor(server: string, caPem: string, token: string, connections: number) {
    this.#auth = `Bearer ${token}`;
    this.#pool = new Pool(server, {
      connections,
      keepAliveTimeout: 60_000,
      headersTimeout: REQUEST_TIMEOUT_MS,
      bodyTimeout: REQUEST_TIMEOUT_MS,
      connect: { ca: caPem },
    });
  }

  static async fromKubeconfig(path: string, connections = 4): Promise<MemberClient> {
    const config = parse(await readFile(path, "utf8")) as KubeconfigShape;
    const cluster = config.clusters?.[0]?.cluster;
    const token = config.users?.[0]?.user?.token;
    const ca = cluster?.["certificate-authority-data"];
    if (!cluster?.server || !token || !ca)
      throw new Error(`${path}: no server, CA and token in the first context`);
    return new MemberClient(cluster.server, Buffer.from(ca, "base64").toString("utf8"), token, connections);
  }

  /** Sends a JSON request; throws `RequestError` on any status outside 2xx. */
  async send(
    method: string,
    path: string,
    body?: unknown,
    contentType = "application/json",
  ): Promise<unknown> {
    const response = await this.#pool.request({
      method: method as "GET",
      path,
      headers: {
        authorization: this.#auth,
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": contentType }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.body.text();
    if (response.statusCode < 200 || response.statusCode >= 300)
      throw new RequestError(method, path, response.statusCode, text);
    return JSON.parse(text);
  }

  /**
   * Streams a watch (`path` must ask for `watch=1`), calling `onLine` per event
   * line until the server ends it or `signal` aborts; resolves when it ends.
   */
  async stream(path: string, onLine: WatchLineHandler, signal: AbortSignal): Promise<void> {
    const response = await this.#pool.request({
      method: "GET",
      path,
      headers: { authorization: this.#auth, accept: "application/json" },
      signal,
      bodyTimeout: 0,
    });
    if (response.statusCode !== 200) {
      throw new RequestError("GET", path, response.statusCode, await response.body.text());
    }
    let pending = "";
    try {
      for await (const chunk of response.body) {
        pending += (chunk as Buffer).toString("utf8");
        let newline = pending.indexOf("\n");
        while (newline >= 0) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          if (line.trim()) onLine(line);
          newline = pending.indexOf("\n");
        }
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    }
  }

  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}

type KubeconfigShape = {
  clusters?: { cluster?: { server?: string; "certificate-authority-data"?: string } }[];
  users?: { user?: { token?: string } }[];
};
