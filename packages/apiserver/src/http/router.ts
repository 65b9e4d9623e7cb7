import type { IncomingMessage, ServerResponse } from "node:http";
import { StatusError } from "../api/errors.ts";
import {
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
} from "../discovery/documents.ts";
import type { RequestForwarder } from "../forwarding/forwarding-proxy.ts";
import type { Authenticator } from "./auth.ts";
import { handleResource } from "./handlers/resources.ts";
import { negotiate } from "./negotiation.ts";
import { Query } from "./query.ts";
import { parseRequestPath } from "./request-info.ts";
import { sendError, sendJson } from "./respond.ts";
import type { ServerContext } from "./server-context.ts";

/** Serves `/openapi/v2`, `/openapi/v3` and `/openapi/v3/{group-version}` (ETags, 304s, hash redirects). */
export interface OpenApiDocuments {
  serve(request: { path: string; query?: URLSearchParams; accept?: string; ifNoneMatch?: string }): {
    status: number;
    headers: Record<string, string>;
    body: string;
  };
}

export type RouterOptions = {
  context: ServerContext;
  authenticator: Authenticator;
  openapi: OpenApiDocuments;
  version: object;
  /** Requests larger than this get 413 (kube-apiserver's default is 3 MiB). */
  maxBodyBytes?: number;
  /** Reports each finished request (for logs and metrics). */
  onRequest?: (event: {
    method: string;
    path: string;
    code: number;
    ms: number;
    error?: StatusError;
  }) => void;
  isReady: () => boolean;
  /** Serves member-forwarding paths (`/clusters/{name}/…`) after authentication, before anything else. */
  forward?: RequestForwarder;
};

const PUBLIC_PATHS = new Set(["/healthz", "/livez", "/readyz", "/version"]);

/** The request entry point: authentication, then non-resource paths, discovery, then resources. */
export function createRouter(options: RouterOptions) {
  const maxBody = options.maxBodyBytes ?? 3 * 1024 * 1024;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const url = new URL(req.url ?? "/", "http://localhost");
    let failure: StatusError | undefined;
    try {
      const user = options.authenticator.authenticate(req.headers.authorization);
      if (!user && !(PUBLIC_PATHS.has(url.pathname) && !req.headers.authorization)) {
        throw new StatusError("Unauthorized", "Unauthorized");
      }
      if (await options.forward?.forward(req, res, url)) return;
      await route(options, req, res, url, maxBody);
    } catch (error) {
      failure = sendError(res, error);
    } finally {
      options.onRequest?.({
        method: req.method ?? "GET",
        path: url.pathname,
        code: failure?.code ?? res.statusCode,
        ms: performance.now() - started,
        error: failure,
      });
    }
  };
}

async function route(
  options: RouterOptions,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  maxBody: number,
) {
  const ctx = options.context;
  const path = url.pathname.replace(/\/+$/, "") || "/";
  switch (path) {
    case "/healthz":
    case "/livez":
      return sendText(res, 200, "ok");
    case "/readyz":
      return options.isReady()
        ? sendText(res, 200, "ok")
        : sendText(res, 500, "[-]storage not ready\nreadyz check failed");
    case "/version":
      return sendJson(res, 200, options.version);
    case "/api":
      return discovery(
        req,
        res,
        () => apiVersions(req.headers.host ?? "localhost"),
        () => aggregatedDiscovery(ctx.catalog, true),
      );
    case "/apis":
      return discovery(
        req,
        res,
        () => apiGroupList(ctx.catalog),
        () => aggregatedDiscovery(ctx.catalog, false),
      );
  }
  // OpenAPI v2 is served as JSON only. kubectl 1.28 asks for it as protobuf first; an
  // empty protobuf document (no paths) sends it on to OpenAPI v3, which carries everything.
  if (path === "/openapi/v2" && (req.headers.accept ?? "").includes("protobuf")) {
    res.writeHead(200, { "Content-Type": "application/octet-stream" });
    res.end();
    return;
  }
  if (path === "/openapi/v2" || path === "/openapi/v3" || path.startsWith("/openapi/v3/")) {
    const response = options.openapi.serve({
      path,
      query: url.searchParams,
      accept: req.headers.accept,
      ifNoneMatch: req.headers["if-none-match"],
    });
    res.writeHead(response.status, response.headers);
    res.end(response.body);
    return;
  }
  const info = parseRequestPath(path);
  if (info.kind === "nonResource")
    throw new StatusError("NotFound", "the server could not find the requested resource");
  if (info.kind === "group") {
    const doc = apiGroup(ctx.catalog, info.group);
    if (!doc) throw new StatusError("NotFound", "the server could not find the requested resource");
    return sendJson(res, 200, doc);
  }
  if (info.kind === "groupVersion") {
    const doc = apiResourceList(ctx.catalog, info.group, info.version);
    if (!doc) throw new StatusError("NotFound", "the server could not find the requested resource");
    return sendJson(res, 200, doc);
  }
  const type = ctx.catalog.find(info.group, info.version, info.resource);
  if (!type) throw new StatusError("NotFound", "the server could not find the requested resource");
  if (info.namespace !== undefined && !type.namespaced) {
    throw new StatusError("NotFound", "the server could not find the requested resource");
  }
  const query = new Query(url.searchParams);
  let bodyText: Promise<Buffer> | undefined;
  await handleResource(ctx, {
    req,
    res,
    type,
    namespace: type.namespaced ? info.namespace : undefined,
    name: info.name,
    subresource: info.subresource,
    query,
    watch: info.watchPath || query.boolean("watch") === true,
    body: () => {
      bodyText ??= readBody(req, maxBody);
      return bodyText;
    },
  });
}

function discovery(
  req: IncomingMessage,
  res: ServerResponse,
  legacy: () => object,
  aggregated: () => object,
) {
  const format = negotiate(req.headers.accept, { discovery: true });
  if (format.as === "discovery-v2") {
    return sendJson(res, 200, aggregated(), {
      contentType: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
    });
  }
  return sendJson(res, 200, legacy());
}

function sendText(res: ServerResponse, code: number, text: string) {
  res.writeHead(code, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(text);
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new StatusError("RequestEntityTooLarge", `the request body is larger than ${maxBytes} bytes`));
        // Drain the rest so the error response can still be read by the client.
        req.removeAllListeners("data");
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
