import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseYaml } from "yaml";
import { badRequest, StatusError } from "../../api/errors.ts";
import { isRecord, type KubeObject } from "../../api/object.ts";
import { decodeKubernetesProtobuf, isKubernetesProtobuf, ProtobufDecodeError } from "../../protobuf/index.ts";
import { type DeleteOptions, deleteObject } from "../../registry/deletion.ts";
import { listObjects } from "../../registry/list.ts";
import { PatchType, patchObject } from "../../registry/patching.ts";
import type { WriteOptions } from "../../registry/registry.ts";
import { apiVersionOf, type ResourceType } from "../../resources/resource-type.ts";
import type { CachedObject } from "../../watch/cacher.ts";
import { contentTypeOf, negotiate, type ResponseFormat } from "../negotiation.ts";
import type { Query } from "../query.ts";
import { sendJson, sendJsonText } from "../respond.ts";
import type { ServerContext } from "../server-context.ts";
import { handleBinding, handleLog } from "./pod-subresources.ts";
import { readScale, writeScale } from "./scale.ts";
import { serveWatch } from "./watch.ts";

/** One resource request, already routed to its type. */
export type ResourceRequest = {
  req: IncomingMessage;
  res: ServerResponse;
  type: ResourceType;
  /** The version the client addressed (may differ from storage's for multi-version CRDs). */
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
  query: Query;
  /** The raw request body (read once, on first call). */
  body: () => Promise<Buffer>;
  watch: boolean;
};

const MAIN_SUBRESOURCES = new Set([undefined, "status", "scale", "finalize"]);
const POD_SUBRESOURCES = new Set(["binding", "log"]);

export async function handleResource(ctx: ServerContext, r: ResourceRequest): Promise<void> {
  const { req, type, name, subresource } = r;
  const isPods = type.group === "" && type.plural === "pods";
  if (isPods && name && subresource && POD_SUBRESOURCES.has(subresource)) {
    return subresource === "binding" ? handleBinding(ctx, r) : handleLog(ctx, r);
  }
  if (!MAIN_SUBRESOURCES.has(subresource)) throw notFoundPath();
  if (subresource === "status" && !type.subresources.status) throw notFoundPath();
  if (subresource === "scale" && !type.subresources.scale) throw notFoundPath();
  if (subresource === "finalize" && !(type.group === "" && type.plural === "namespaces"))
    throw notFoundPath();
  const method = req.method ?? "GET";
  if (r.watch) {
    if (method !== "GET") throw methodNotAllowed(method);
    return serveWatch(ctx, r);
  }
  if (!name) {
    if (method === "GET") return list(ctx, r);
    if (method === "POST") return create(ctx, r);
    if (method === "DELETE") return deleteCollection(ctx, r);
    throw methodNotAllowed(method);
  }
  if (subresource === "scale") {
    if (method === "GET") return readScale(ctx, r);
    if (method === "PUT" || method === "PATCH") return writeScale(ctx, r);
    throw methodNotAllowed(method);
  }
  if (method === "GET") return get(ctx, r);
  if (method === "PUT") return update(ctx, r);
  if (method === "PATCH") return patch(ctx, r);
  if (method === "DELETE" && !subresource) return remove(ctx, r);
  throw methodNotAllowed(method);
}

function notFoundPath(): StatusError {
  return new StatusError("NotFound", "the server could not find the requested resource");
}

function methodNotAllowed(method: string): StatusError {
  return new StatusError(
    "MethodNotAllowed",
    `the server does not allow this method on the requested resource (${method})`,
  );
}

function writeOptions(r: ResourceRequest): WriteOptions {
  return {
    dryRun: r.query.dryRun(),
    fieldManager: r.query.string("fieldManager") || defaultManager(r.req),
    fieldValidation: r.query.fieldValidation() ?? "Warn",
    subresource: r.subresource,
  };
}

/** Kubernetes names an unnamed manager after the client's user agent binary (`kubectl`, `node-fetch`…). */
function defaultManager(req: IncomingMessage): string {
  const agent = req.headers["user-agent"] ?? "";
  const binary = agent.split("/")[0].trim();
  return binary || "unknown";
}

/** Renders one object in the negotiated format, as `requestedVersion` of the type. */
export function renderObject(
  ctx: ServerContext,
  type: ResourceType,
  object: KubeObject,
  format: ResponseFormat,
): string {
  const versioned = asVersion(type, object);
  if (format.as === "table")
    return JSON.stringify(ctx.tables(type, [versioned], { includeObject: "Metadata" }));
  if (format.as === "partial-metadata") {
    return JSON.stringify({
      kind: "PartialObjectMetadata",
      apiVersion: "meta.k8s.io/v1",
      metadata: versioned.metadata,
    });
  }
  return JSON.stringify(versioned);
}

/** The object as the addressed version (CRD versions share storage; conversion is None). */
export function asVersion(type: ResourceType, object: KubeObject): KubeObject {
  const apiVersion = apiVersionOf(type);
  return object.apiVersion === apiVersion ? object : { ...object, apiVersion };
}

function cachedJson(type: ResourceType, cached: CachedObject): string {
  return cached.object.apiVersion === apiVersionOf(type)
    ? cached.json
    : JSON.stringify(asVersion(type, cached.object));
}

async function get(ctx: ServerContext, r: ResourceRequest): Promise<void> {
  const format = negotiate(r.req.headers.accept);
  const cached = ctx.registry.get(r.type, r.namespace, r.name ?? "");
  const body =
    format.as === "json" ? cachedJson(r.type, cached) : renderObject(ctx, r.type, cached.object, format);
  sendJsonText(r.res, 200, body);
}

async function list(ctx: ServerContext, r: ResourceRequest): Promise<void> {
  const format = negotiate(r.req.headers.accept);
  const { filter, filtered } = ctx.selectors.compile(r.type, r.query);
  const result = await listObjects(ctx.registry, r.type, {
    namespace: r.namespace,
    filter,
    filtered,
    limit: r.query.integer("limit"),
    continue: r.query.string("continue"),
    resourceVersion: r.query.string("resourceVersion"),
    resourceVersionMatch: r.query.string("resourceVersionMatch"),
  });
  const listMeta = {
    resourceVersion: String(result.revision),
    ...(result.continue ? { continue: result.continue } : {}),
    ...(result.remainingItemCount !== undefined ? { remainingItemCount: result.remainingItemCount } : {}),
  };
  if (format.as === "table") {
    const includeObject = includeObjectOf(r.query);
    const objects = result.items.map((item) => asVersion(r.type, item.object));
    return sendJson(r.res, 200, ctx.tables(r.type, objects, { includeObject, listMeta }));
  }
  if (format.as === "partial-metadata") {
    return sendJson(r.res, 200, {
      kind: "PartialObjectMetadataList",
      apiVersion: "meta.k8s.io/v1",
      metadata: listMeta,
      items: result.items.map((item) => ({
        kind: "PartialObjectMetadata",
        apiVersion: "meta.k8s.io/v1",
        metadata: item.object.metadata,
      })),
    });
  }
  const head = `{"kind":${JSON.stringify(r.type.listKind)},"apiVersion":${JSON.stringify(apiVersionOf(r.type))},"metadata":${JSON.stringify(listMeta)},"items":[`;
  if (result.items.length <= LIST_CHUNK) {
    const items = result.items.map((item) => cachedJson(r.type, item)).join(",");
    return sendJsonText(r.res, 200, `${head}${items}]}`);
  }
  // Large lists go out in chunks: no single multi-megabyte string to build and collect.
  r.res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private" });
  r.res.write(head);
  for (let i = 0; i < result.items.length; i += LIST_CHUNK) {
    const chunk = result.items.slice(i, i + LIST_CHUNK).map((item) => cachedJson(r.type, item));
    r.res.write(i === 0 ? chunk.join(",") : `,${chunk.join(",")}`);
  }
  r.res.end("]}");
}

const LIST_CHUNK = 500;

export function includeObjectOf(query: Query): "None" | "Metadata" | "Object" {
  const value = query.string("includeObject");
  if (value === undefined || value === "") return "Metadata";
  if (value === "None" || value === "Metadata" || value === "Object") return value;
  throw badRequest(
    `includeObject: Unsupported value: "${value}": supported values: "Metadata", "None", "Object"`,
  );
}

async function create(ctx: ServerContext, r: ResourceRequest): Promise<void> {
  if (r.subresource) throw methodNotAllowed("POST");
  const format = negotiate(r.req.headers.accept);
  const body = decodeBody(r.req, await r.body());
  const result = await ctx.registry.create(r.type, r.namespace, body, writeOptions(r));
  sendJsonText(r.res, 201, renderObject(ctx, r.type, result.object, format), { warnings: result.warnings });
}

async function update(ctx: ServerContext, r: ResourceRequest): Promise<void> {
  const format = negotiate(r.req.headers.accept);
  const body = decodeBody(r.req, await r.body());
  const options = writeOptions(r);
  if (r.subresource === "finalize") options.subresource = "finalize";
  const result = await ctx.registry.update(r.type, r.namespace, r.name ?? "", body, options);
  sendJsonText(r.res, 200, renderObject(ctx, r.type, result.object, format), { warnings: result.warnings });
}

async function patch(ctx: ServerContext, r: ResourceRequest): Promise<void> {
  const format = negotiate(r.req.headers.accept);
  const patchType = contentTypeOf(r.req.headers["content-type"]);
  const known = Object.values(PatchType) as string[];
  if (!known.includes(patchType)) {
    throw new StatusError(
      "UnsupportedMediaType",
      `the body of the request was in an unknown format - accepted media types include: ${known.join(", ")}`,
    );
  }
  const options = { ...writeOptions(r), force: r.query.boolean("force") };
  if (patchType === PatchType.apply && !r.query.string("fieldManager")) options.fieldManager = "";
  const existed = ctx.registry.find(r.type, r.namespace, r.name ?? "") !== undefined;
  const result = await patchObject(
    ctx.registry,
    ctx.patcher,
    ctx.shapes,
    { type: r.type, namespace: r.namespace, name: r.name ?? "" },
    patchType as PatchType,
    (await r.body()).toString("utf8"),
    options,
  );
  const code = !existed && patchType === PatchType.apply ? 201 : 200;
  sendJsonText(r.res, code, renderObject(ctx, r.type, result.object, format), { warnings: result.warnings });
}

async function remove(ctx: ServerContext, r: ResourceRequest): Promise<void> {
  const format = negotiate(r.req.headers.accept);
  const options = await deleteOptionsOf(r);
  const result = await deleteObject(ctx.registry, r.type, r.namespace, r.name ?? "", options);
  const hooks = ctx.registry.hooksFor(r.type);
  if (!result.deleted || hooks.strategy.returnDeletedObject) {
    return sendJsonText(r.res, result.deleted ? 200 : 202, renderObject(ctx, r.type, result.object, format));
  }
  sendJson(r.res, 200, {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Success",
    details: { name: r.name, group: r.type.group, kind: r.type.plural, uid: result.object.metadata.uid },
  });
}

async function deleteCollection(ctx: ServerContext, r: ResourceRequest): Promise<void> {
  if (!r.type.verbs.includes("deletecollection")) throw methodNotAllowed("DELETE");
  const options = await deleteOptionsOf(r);
  const { filter, filtered } = ctx.selectors.compile(r.type, r.query);
  const result = await listObjects(ctx.registry, r.type, { namespace: r.namespace, filter, filtered });
  const deleted: KubeObject[] = [];
  for (const item of result.items) {
    const meta = item.object.metadata;
    try {
      deleted.push(
        (await deleteObject(ctx.registry, r.type, meta.namespace, meta.name ?? "", options)).object,
      );
    } catch (error) {
      if (!(error instanceof StatusError && error.reason === "NotFound")) throw error;
    }
  }
  sendJson(r.res, 200, {
    kind: r.type.listKind,
    apiVersion: apiVersionOf(r.type),
    metadata: { resourceVersion: String(ctx.registry.cacher.revision) },
    items: deleted.map((o) => asVersion(r.type, o)),
  });
}

async function deleteOptionsOf(r: ResourceRequest): Promise<DeleteOptions> {
  const raw = await r.body();
  let body: Record<string, unknown> = {};
  if (raw.toString("utf8").trim() !== "") {
    const decoded = decodeBody(r.req, raw);
    if (!isRecord(decoded)) throw badRequest("DeleteOptions must be an object");
    body = decoded;
  }
  const preconditions = isRecord(body.preconditions) ? body.preconditions : undefined;
  const dryRunBody = Array.isArray(body.dryRun) && body.dryRun.includes("All");
  const policy = r.query.string("propagationPolicy") ?? body.propagationPolicy;
  return {
    gracePeriodSeconds: r.query.integer("gracePeriodSeconds") ?? numberOrUndefined(body.gracePeriodSeconds),
    propagationPolicy: policy as DeleteOptions["propagationPolicy"],
    orphanDependents:
      r.query.boolean("orphanDependents") ??
      (typeof body.orphanDependents === "boolean" ? body.orphanDependents : undefined),
    preconditions: preconditions
      ? {
          uid: typeof preconditions.uid === "string" ? preconditions.uid : undefined,
          resourceVersion:
            typeof preconditions.resourceVersion === "string" ? preconditions.resourceVersion : undefined,
        }
      : undefined,
    dryRun: r.query.dryRun() || dryRunBody,
  };
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

/** Parses a POST/PUT body: JSON, YAML (as kube-apiserver also accepts), or Kubernetes protobuf of built-in kinds. */
export function decodeBody(req: IncomingMessage, raw: Buffer): unknown {
  const type = contentTypeOf(req.headers["content-type"]);
  if (isKubernetesProtobuf(type)) return decodeProtobuf(raw);
  const yaml = type === "application/yaml" || type === "application/x-yaml" || type === "text/yaml";
  if (type !== "" && type !== "application/json" && !yaml && req.method !== "DELETE") {
    throw new StatusError(
      "UnsupportedMediaType",
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`,
    );
  }
  const text = raw.toString("utf8");
  if (text.trim() === "") throw badRequest("the request body is empty");
  try {
    return yaml ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw badRequest(`error decoding ${yaml ? "YAML" : "JSON"} body: ${message}`, error);
  }
}

function decodeProtobuf(raw: Buffer): unknown {
  try {
    return decodeKubernetesProtobuf(raw).object;
  } catch (error) {
    if (error instanceof ProtobufDecodeError && error.reason !== "Malformed") {
      throw new StatusError("UnsupportedMediaType", error.message, { cause: error });
    }
    throw badRequest(
      `error decoding protobuf body: ${error instanceof Error ? error.message : String(error)}`,
      error,
    );
  }
}
