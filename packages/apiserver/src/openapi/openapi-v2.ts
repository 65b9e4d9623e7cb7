import type { ResourceType } from "../resources/resource-type.ts";
import type { ShapeResolver } from "../schema/shape.ts";
import { type Json, type JsonObject, V3_REF_PREFIX } from "./json.ts";
import { byGroupVersion, collectGroupVersion, type OpenAPIOptions } from "./openapi-v3.ts";

const V2_REF_PREFIX = "#/definitions/";
const HTTP_METHODS = ["get", "put", "post", "delete", "patch"];

/**
 * The `/openapi/v2` Swagger 2.0 document: every definition (with
 * `x-kubernetes-group-version-kind` on kinds) and every path, built from the
 * same pieces as the v3 documents. Good for kubectl's client-side validation
 * fallback and `kubectl explain --output plaintext-openapiv2`, which read it
 * as JSON-derived models. v2 has no `anyOf`/`oneOf`: int-or-string and
 * quantity values are published as strings, as kube-apiserver does.
 */
export function swaggerDocument(
  types: readonly ResourceType[],
  resolver: ShapeResolver,
  options: OpenAPIOptions = {},
): JsonObject {
  const definitions: JsonObject = {};
  const paths: JsonObject = {};
  for (const group of byGroupVersion(types).values()) {
    const collected = collectGroupVersion(group, resolver, options);
    for (const [name, schema] of Object.entries(collected.schemas)) definitions[name] = toV2Schema(schema);
    for (const [path, item] of Object.entries(collected.paths)) paths[path] = toV2PathItem(item);
  }
  return {
    swagger: "2.0",
    info: { title: "Kubernetes", version: options.serverVersion ?? "unversioned" },
    paths,
    definitions,
    securityDefinitions: {
      BearerToken: {
        type: "apiKey",
        description: "Bearer Token authentication",
        name: "authorization",
        in: "header",
      },
    },
    security: [{ BearerToken: [] }],
  };
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** v3 schema → v2: refs point at `#/definitions/`, single-ref `allOf` wrappers are flattened, v3-only keywords dropped. */
export function toV2Schema(value: Json): JsonObject {
  const converted = convert(value);
  return isObject(converted) ? converted : {};
}

function convert(value: Json): Json {
  if (Array.isArray(value)) return value.map(convert);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === "$ref" && typeof v === "string") out[k] = v.replace(V3_REF_PREFIX, V2_REF_PREFIX);
    else if (k === "anyOf" || k === "oneOf" || k === "not" || k === "nullable") continue;
    else out[k] = convert(v);
  }
  const alternatives = value.oneOf ?? value.anyOf;
  if (
    out.type === undefined &&
    Array.isArray(alternatives) &&
    alternatives.every((a) => isObject(a) && a.type)
  ) {
    out.type = "string";
  }
  const allOf = out.allOf;
  if (Array.isArray(allOf) && allOf.length === 1 && isObject(allOf[0]) && typeof allOf[0].$ref === "string") {
    delete out.allOf;
    out.$ref = allOf[0].$ref;
  }
  return out;
}

function toV2Parameter(p: Json): JsonObject {
  if (!isObject(p)) return {};
  const { schema, ...rest } = p;
  return { ...rest, ...(isObject(schema) ? schema : {}) };
}

function firstSchema(contentMap: Json | undefined): Json | undefined {
  if (!isObject(contentMap)) return undefined;
  const first = Object.values(contentMap)[0];
  return isObject(first) ? first.schema : undefined;
}

function toV2Operation(op: JsonObject): JsonObject {
  const { requestBody, responses, parameters, ...rest } = op;
  const out: JsonObject = { ...rest };
  const params = Array.isArray(parameters) ? parameters.map(toV2Parameter) : [];
  const produces = new Set<string>();
  if (isObject(requestBody)) {
    const schema = firstSchema(requestBody.content);
    params.unshift({
      name: "body",
      in: "body",
      required: true,
      schema: schema === undefined ? {} : convert(schema),
    });
    out.consumes = isObject(requestBody.content) ? Object.keys(requestBody.content) : ["*/*"];
  } else {
    out.consumes = ["*/*"];
  }
  if (params.length) out.parameters = params;
  const v2Responses: JsonObject = {};
  for (const [code, response] of Object.entries(isObject(responses) ? responses : {})) {
    if (!isObject(response)) continue;
    const entry: JsonObject = { description: response.description ?? "" };
    const schema = firstSchema(response.content);
    if (schema !== undefined) entry.schema = convert(schema);
    if (isObject(response.content)) for (const type of Object.keys(response.content)) produces.add(type);
    v2Responses[code] = entry;
  }
  out.responses = v2Responses;
  out.produces = [...produces];
  out.schemes = ["https"];
  return out;
}

function toV2PathItem(item: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(item)) {
    if (k === "parameters" && Array.isArray(v)) out[k] = v.map(toV2Parameter);
    else if (HTTP_METHODS.includes(k) && isObject(v)) out[k] = toV2Operation(v);
    else out[k] = v;
  }
  return out;
}
