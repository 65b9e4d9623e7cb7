import type { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import type { KubeConfig } from "@kubernetes/client-node";
import type {
  DeleteOptions,
  KubeClient,
  ListOptions,
  ListResult,
  PatchOptions,
  PatchType,
  ResourceId,
  WatchHandlers,
  WriteOptions,
} from "./client.ts";
import { StatusError } from "./errors.ts";
import { parseKubeconfig, selectContext } from "./http/kubeconfig.ts";
import { needsClientNode, pickContext, readKubeconfig } from "./http/kubeconfig-data.ts";
import { StaticCredentials } from "./http/static-credentials.ts";

export { KubeconfigError, type KubeconfigProblem } from "./http/kubeconfig-data.ts";

import { objectPath, resourcePath, withKind, withQuery } from "./http/paths.ts";
import { statusErrorFromResponse } from "./http/status.ts";
import {
  type ContextCredentials,
  type RawResponse,
  Transport,
  type TransportRequest,
} from "./http/transport.ts";
import { runWatch } from "./http/watch-stream.ts";
import { isRecord, type KubeObject } from "./object.ts";

export type HttpKubeClientOptions = {
  /** The kubeconfig context to use (default: its current-context). */
  context?: string;
  /** Sent as `fieldManager` on every write that does not name one (default "atoll"). */
  fieldManager?: string;
  /** Default `atoll/0.1.0`. */
  userAgent?: string;
  /** Whole-request timeout (default 30 s). Watches and streams apply it only until the response headers arrive. */
  timeoutMs?: number;
};

export type { RawResponse };

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  json: "application/json-patch+json",
  apply: "application/apply-patch+yaml",
};

/**
 * `KubeClient` over HTTP(S) to a real or Atoll API server, configured by a
 * kubeconfig (TLS, bearer tokens, client certificates, basic auth; exec
 * plugins, auth providers and proxies through client-node).
 *
 * Failed requests reject with `StatusError`: the server's Status reason, or the
 * HTTP code's reason when the body is not a Status; requests that get no
 * answer (refused, reset, TLS, timeout) reject with `ServiceUnavailable`
 * carrying the original error as `cause`. Call `close()` to release pooled
 * connections.
 */
export class HttpKubeClient implements KubeClient {
  #transport: Transport;
  #caData: string | undefined;
  #fieldManager: string;

  private constructor(kc: ContextCredentials, options: HttpKubeClientOptions) {
    this.#transport = new Transport(kc, {
      userAgent: options.userAgent ?? "atoll/0.1.0",
      timeoutMs: options.timeoutMs ?? 30_000,
    });
    this.#caData = kc.getCurrentCluster()?.caData;
    this.#fieldManager = options.fieldManager ?? "atoll";
  }

  /**
   * A client for one context of `kc` (default: the current one). Throws a
   * `KubeconfigError` naming the missing context, cluster or user, or the
   * unusable server URL. `kc` itself is never changed.
   */
  static fromKubeConfig(kc: KubeConfig, options: HttpKubeClientOptions = {}): HttpKubeClient {
    return new HttpKubeClient(selectContext(kc, options.context), options);
  }

  /**
   * Parses kubeconfig YAML (`KubeconfigError` Unreadable when it is not one),
   * then as `fromKubeConfig`. client-node is loaded only when the context
   * needs it (an exec plugin, an auth provider, a proxy): a process that
   * talks to clusters with tokens or certificates does not pay its ~40 MiB.
   */
  static fromKubeconfigText(text: string, options: HttpKubeClientOptions = {}): HttpKubeClient {
    const selected = pickContext(readKubeconfig(text), options.context);
    if (needsClientNode(selected)) return HttpKubeClient.fromKubeConfig(parseKubeconfig(text), options);
    return new HttpKubeClient(new StaticCredentials(selected), options);
  }

  /** The cluster URL, e.g. `https://127.0.0.1:6443`. */
  get server(): string {
    return this.#transport.server;
  }

  /** The cluster's `certificate-authority-data` (base64 PEM), when the kubeconfig inlines it. */
  get caData(): string | undefined {
    return this.#caData;
  }

  /** Releases pooled connections; open watches and streams end. The client stays usable. */
  close(): void {
    this.#transport.close();
  }

  /** Resolves undefined when the server answers 404. */
  async get(
    resource: ResourceId,
    namespace: string | undefined,
    name: string,
  ): Promise<KubeObject | undefined> {
    const request: TransportRequest = { method: "GET", path: objectPath(resource, namespace, name) };
    // Controllers ask for objects that are often absent: a 404 is an answer, not an error worth a stack trace.
    const response = await this.#transport.exchange(request);
    if (response.status === 404) return undefined;
    return withKind(resource, this.#parsed(request, response) as KubeObject);
  }

  async list(resource: ResourceId, options: ListOptions = {}): Promise<ListResult> {
    const path = withQuery(resourcePath(resource, { namespace: options.namespace }), {
      labelSelector: options.labelSelector || undefined,
      fieldSelector: options.fieldSelector || undefined,
    });
    const list = await this.#json({ method: "GET", path });
    const items = Array.isArray(list.items) ? (list.items as KubeObject[]) : [];
    const metadata = isRecord(list.metadata) ? list.metadata : {};
    return {
      items: items.map((item) => withKind(resource, item)),
      resourceVersion: typeof metadata.resourceVersion === "string" ? metadata.resourceVersion : "",
    };
  }

  /**
   * POST to the collection, or with `subresource` (binding, eviction, token)
   * to `…/{object.metadata.name}/{subresource}`. The namespace defaults to the object's.
   */
  async create(
    resource: ResourceId,
    namespace: string | undefined,
    object: KubeObject,
    options: WriteOptions = {},
  ): Promise<KubeObject> {
    const ns = namespace ?? object.metadata.namespace;
    const target = options.subresource
      ? objectPath(resource, ns, object.metadata.name, options.subresource)
      : resourcePath(resource, { namespace: ns });
    const path = withQuery(target, this.#writeQuery(options));
    return this.#object(resource, { method: "POST", path, body: JSON.stringify(object) });
  }

  async update(
    resource: ResourceId,
    namespace: string | undefined,
    object: KubeObject,
    options: WriteOptions = {},
  ): Promise<KubeObject> {
    const target = objectPath(
      resource,
      namespace ?? object.metadata.namespace,
      object.metadata.name,
      options.subresource,
    );
    const path = withQuery(target, this.#writeQuery(options));
    return this.#object(resource, { method: "PUT", path, body: JSON.stringify(object) });
  }

  /** A string `patch` is sent as is (e.g. YAML for apply); anything else as JSON. `force` applies to apply only. */
  async patch(
    resource: ResourceId,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    options: PatchOptions = {},
  ): Promise<KubeObject> {
    const path = withQuery(objectPath(resource, namespace, name, options.subresource), {
      ...this.#writeQuery(options),
      force: type === "apply" && options.force ? "true" : undefined,
    });
    const body = typeof patch === "string" ? patch : JSON.stringify(patch);
    return this.#object(resource, { method: "PATCH", path, body, contentType: PATCH_CONTENT_TYPES[type] });
  }

  /**
   * DELETE with a DeleteOptions body. When the server answers with a success
   * Status instead of the object, resolves with an object built from its details.
   */
  async delete(
    resource: ResourceId,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
  ): Promise<KubeObject> {
    const body = JSON.stringify({ kind: "DeleteOptions", apiVersion: "v1", ...options });
    const response = await this.#json({
      method: "DELETE",
      path: objectPath(resource, namespace, name),
      body,
    });
    if (response.kind === "Status") {
      const details = isRecord(response.details) ? response.details : {};
      const uid = typeof details.uid === "string" ? details.uid : undefined;
      return withKind(resource, {
        metadata: { name, ...(namespace ? { namespace } : {}), ...(uid ? { uid } : {}) },
      });
    }
    return withKind(resource, response as KubeObject);
  }

  /**
   * `GET …?watch=true&allowWatchBookmarks=true`, from `resourceVersion` when
   * given (else the server's initial-events semantics: current objects as
   * ADDED first). `onClose` is called once, never after `stop()`: see `runWatch`.
   */
  watch(
    resource: ResourceId,
    options: ListOptions & { resourceVersion?: string },
    handlers: WatchHandlers,
  ): { stop(): void } {
    const path = withQuery(resourcePath(resource, { namespace: options.namespace }), {
      watch: "true",
      resourceVersion: options.resourceVersion || undefined,
      allowWatchBookmarks: "true",
      labelSelector: options.labelSelector || undefined,
      fieldSelector: options.fieldSelector || undefined,
    });
    return runWatch(
      {
        what: `GET ${this.#transport.url(path).href}`,
        open: (signal) => this.#transport.open({ method: "GET", path, signal }),
        normalize: (object) => withKind(resource, object),
      },
      handlers,
    );
  }

  /**
   * Any request (`path` with its query, e.g. `/readyz?verbose`), resolving
   * whatever the status; only transport failures reject (ServiceUnavailable).
   * A string body is sent as is, anything else as JSON.
   */
  request(
    method: string,
    path: string,
    options: { body?: unknown; accept?: string; contentType?: string; timeoutMs?: number } = {},
  ): Promise<RawResponse> {
    const body =
      options.body === undefined || typeof options.body === "string"
        ? options.body
        : JSON.stringify(options.body);
    return this.#transport.exchange(
      { method, path, body, accept: options.accept ?? "application/json", contentType: options.contentType },
      options.timeoutMs,
    );
  }

  /**
   * GET `path` and hand back the response body as it arrives (logs with
   * `follow`, watch passthrough). Non-2xx answers reject with their
   * StatusError; aborting `signal` ends the stream.
   */
  async stream(path: string, signal?: AbortSignal): Promise<Readable> {
    const res = await this.#transport.open({ method: "GET", path, accept: "*/*", signal });
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) return res;
    throw statusErrorFromResponse(status, await text(res), `GET ${this.#transport.url(path).href}`);
  }

  #writeQuery(options: WriteOptions): Record<string, string | undefined> {
    return {
      fieldManager: options.fieldManager ?? this.#fieldManager,
      dryRun: options.dryRun ? "All" : undefined,
    };
  }

  async #object(resource: ResourceId, request: TransportRequest): Promise<KubeObject> {
    return withKind(resource, (await this.#json(request)) as KubeObject);
  }

  /** Sends `request`, resolving with the JSON object of a 2xx answer and rejecting with a StatusError otherwise. */
  async #json(request: TransportRequest): Promise<Record<string, unknown>> {
    return this.#parsed(request, await this.#transport.exchange(request));
  }

  #parsed(request: TransportRequest, response: { status: number; body: string }): Record<string, unknown> {
    const what = `${request.method} ${this.#transport.url(request.path).href}`;
    if (response.status < 200 || response.status > 299) {
      throw statusErrorFromResponse(response.status, response.body, what);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(response.body);
    } catch (error) {
      throw new StatusError("InternalError", `${what}: the response is not JSON`, { cause: error });
    }
    if (!isRecord(parsed))
      throw new StatusError("InternalError", `${what}: the response is not a JSON object`);
    return parsed;
  }
}
