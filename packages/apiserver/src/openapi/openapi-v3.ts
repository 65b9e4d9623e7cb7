import { apiVersionOf, type ResourceType } from "../resources/resource-type.ts";
import type { ShapeResolver } from "../schema/shape.ts";
import { isBuiltinGroup } from "./definition-names.ts";
import type { JsonObject } from "./json.ts";
import { META_SCHEMAS } from "./meta-schemas.ts";
import { resourcePaths } from "./operations.ts";
import { SchemaCollector } from "./shape-to-schema.ts";

export type OpenAPIOptions = {
  /** `info.version` of the documents; default "unversioned". */
  serverVersion?: string;
  /**
   * Whether a resource is one of Kubernetes' own (strategic merge patch,
   * apimachinery types by reference); default: whether its group is a built-in group.
   */
  isBuiltin?: (type: ResourceType) => boolean;
  /** The definition name for a shape ref name; default: the name with `/` replaced by `.`. */
  refDefinitionName?: (refName: string) => string;
};

/** The discovery key of a resource's group version: `api/v1`, `apis/apps/v1`. */
export function groupVersionPath(type: Pick<ResourceType, "group" | "version">): string {
  return type.group ? `apis/${apiVersionOf(type)}` : `api/${type.version}`;
}

/** Resources grouped by group-version path, in first-seen order. */
export function byGroupVersion(types: readonly ResourceType[]): Map<string, ResourceType[]> {
  const groups = new Map<string, ResourceType[]>();
  for (const type of types) {
    const path = groupVersionPath(type);
    const list = groups.get(path) ?? [];
    list.push(type);
    groups.set(path, list);
  }
  return groups;
}

/** Schemas and paths of a set of resources, in OpenAPI v3 form (shared with the v2 builder). */
export function collectGroupVersion(
  types: readonly ResourceType[],
  resolver: ShapeResolver,
  options: OpenAPIOptions,
): { schemas: Record<string, JsonObject>; paths: Record<string, JsonObject> } {
  const paths: Record<string, JsonObject> = {};
  const collectors = new Map<boolean, SchemaCollector>();
  for (const type of types) {
    const builtin = options.isBuiltin ? options.isBuiltin(type) : isBuiltinGroup(type.group);
    let collector = collectors.get(builtin);
    if (!collector) {
      collector = new SchemaCollector({ resolver, builtin, refDefinitionName: options.refDefinitionName });
      collectors.set(builtin, collector);
    }
    collector.addKind(type);
    Object.assign(paths, resourcePaths(type, { builtin }));
  }
  const schemas: Record<string, JsonObject> = { ...META_SCHEMAS };
  for (const collector of collectors.values()) Object.assign(schemas, collector.schemas);
  return { schemas, paths };
}

/**
 * The OpenAPI v3 document of one group version (`/openapi/v3/apis/apps/v1`):
 * `components.schemas` with every kind, list kind, referenced type and the
 * apimachinery types, and `paths` for every resource.
 */
export function groupVersionDocument(
  types: readonly ResourceType[],
  resolver: ShapeResolver,
  options: OpenAPIOptions = {},
): JsonObject {
  const { schemas, paths } = collectGroupVersion(types, resolver, options);
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: options.serverVersion ?? "unversioned" },
    paths,
    components: {
      schemas,
      securitySchemes: {
        BearerToken: {
          type: "apiKey",
          description: "Bearer Token authentication",
          name: "authorization",
          in: "header",
        },
      },
    },
    security: [{ BearerToken: [] }],
  };
}

/**
 * The `/openapi/v3` discovery document: for each group version, the URL of
 * its document with the document's hash, which clients use to cache it.
 */
export function rootDocument(entries: readonly { path: string; hash: string }[]): JsonObject {
  const paths: JsonObject = {};
  for (const { path, hash } of entries)
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
  return { paths };
}
