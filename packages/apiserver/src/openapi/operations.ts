import type { ResourceType } from "../resources/resource-type.ts";
import {
  DELETE_OPTIONS,
  kindNames,
  operationGroupVersion,
  PATCH,
  SCALE,
  STATUS,
  WATCH_EVENT,
} from "./definition-names.ts";
import { type JsonObject, ref } from "./json.ts";
import {
  DELETE_PARAMS,
  FORCE,
  LIST_PARAMS,
  NAME,
  NAMESPACE,
  PRETTY,
  WRITE_PARAMS,
} from "./operation-parameters.ts";

function content(types: readonly string[], schemaName: string): JsonObject {
  return Object.fromEntries(types.map((t) => [t, { schema: ref(schemaName) }]));
}

const JSON_YAML = ["application/json", "application/yaml"];
const WATCH_TYPES = [...JSON_YAML, "application/json;stream=watch"];

function responses(codes: Record<string, string>, schemaName: string, types = JSON_YAML): JsonObject {
  const out: JsonObject = {};
  for (const [code, description] of Object.entries(codes))
    out[code] = { description, content: content(types, schemaName) };
  out["401"] = { description: "Unauthorized" };
  return out;
}

type Operation = {
  action: string;
  id: string;
  description: string;
  parameters?: JsonObject[];
  body?: { types: readonly string[]; schema: string };
  responses: JsonObject;
};

/** Everything an operation needs to know about its resource. */
type Context = { gvk: JsonObject; tag: string };

function operation(ctx: Context, op: Operation): JsonObject {
  const out: JsonObject = { description: op.description, operationId: op.id, tags: [ctx.tag] };
  if (op.parameters?.length) out.parameters = op.parameters;
  if (op.body) out.requestBody = { required: true, content: content(op.body.types, op.body.schema) };
  out.responses = op.responses;
  out["x-kubernetes-action"] = op.action;
  out["x-kubernetes-group-version-kind"] = ctx.gvk;
  return out;
}

function prefixOf(type: ResourceType): string {
  return type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
}

/** The OpenAPI tag of a group version: `core_v1`, `apps_v1`, `clusterAtollIo_v1alpha1`. */
export function tagOf(type: ResourceType): string {
  const gv = operationGroupVersion({ group: type.group, version: "" });
  return `${gv.charAt(0).toLowerCase()}${gv.slice(1)}_${type.version}`;
}

/** One resource as its operations see it. */
type Resource = {
  type: ResourceType;
  names: { kind: string; list: string };
  ctx: Context;
  gv: string;
  /** "Namespaced" in operation ids of namespaced resources. */
  scoped: string;
  prefix: string;
  /** Path-level parameters: namespace (if namespaced) and pretty. */
  scope: JsonObject[];
  patchTypes: string[];
  can: (verb: string) => boolean;
};

function resourceOf(type: ResourceType, builtin: boolean): Resource {
  return {
    type,
    names: kindNames(type),
    ctx: { gvk: { group: type.group, kind: type.kind, version: type.version }, tag: tagOf(type) },
    gv: operationGroupVersion(type),
    scoped: type.namespaced ? "Namespaced" : "",
    prefix: prefixOf(type),
    scope: type.namespaced ? [NAMESPACE, PRETTY] : [PRETTY],
    patchTypes: [
      "application/apply-patch+yaml",
      "application/json-patch+json",
      "application/merge-patch+json",
      ...(builtin ? ["application/strategic-merge-patch+json"] : []),
    ],
    can: (verb) => type.verbs.includes(verb),
  };
}

function operationId(r: Resource, verb: string, suffix = ""): string {
  return `${verb}${r.gv}${r.scoped}${r.type.kind}${suffix}`;
}

/**
 * The `paths` kube-apiserver publishes for one resource (with its status and
 * scale subresources and watch paths), in OpenAPI v3 form.
 * Every operation carries `x-kubernetes-action` and
 * `x-kubernetes-group-version-kind` (how `kubectl explain` finds a resource's
 * kind), and create, update and patch list the `fieldValidation` query
 * parameter (how kubectl decides to send `fieldValidation=Strict` instead of
 * validating on the client).
 */
export function resourcePaths(type: ResourceType, options: { builtin: boolean }): Record<string, JsonObject> {
  const r = resourceOf(type, options.builtin);
  const collection = type.namespaced
    ? `${r.prefix}/namespaces/{namespace}/${type.plural}`
    : `${r.prefix}/${type.plural}`;
  const item = `${collection}/{name}`;
  const paths: Record<string, JsonObject> = {};
  const add = (path: string, node: JsonObject) => {
    if (Object.keys(node).some((k) => k !== "parameters")) paths[path] = node;
  };
  add(collection, collectionPath(r));
  add(item, itemPath(r, { suffix: "", schema: r.names.kind, gvk: r.ctx.gvk, what: "", deletable: true }));
  if (type.subresources.status) {
    add(
      `${item}/status`,
      itemPath(r, { suffix: "Status", schema: r.names.kind, gvk: r.ctx.gvk, what: "status" }),
    );
  }
  if (type.subresources.scale) {
    const gvk = { group: "autoscaling", kind: "Scale", version: "v1" };
    add(`${item}/scale`, itemPath(r, { suffix: "Scale", schema: SCALE, gvk, what: "scale" }));
  }
  if (type.namespaced && r.can("list")) add(`${r.prefix}/${type.plural}`, allNamespacesPath(r));
  if (r.can("watch")) Object.assign(paths, watchPaths(r));
  return paths;
}

function collectionPath(r: Resource): JsonObject {
  const { type, ctx, names } = r;
  const node: JsonObject = { parameters: r.scope };
  if (r.can("list")) {
    node.get = operation(ctx, {
      action: "list",
      id: operationId(r, "list"),
      description: `list or watch objects of kind ${type.kind}`,
      parameters: LIST_PARAMS,
      responses: responses({ 200: "OK" }, names.list, WATCH_TYPES),
    });
  }
  if (r.can("create")) {
    node.post = operation(ctx, {
      action: "post",
      id: operationId(r, "create"),
      description: `create a ${type.kind}`,
      parameters: WRITE_PARAMS,
      body: { types: JSON_YAML, schema: names.kind },
      responses: responses({ 200: "OK", 201: "Created", 202: "Accepted" }, names.kind),
    });
  }
  if (r.can("deletecollection")) {
    node.delete = operation(ctx, {
      action: "deletecollection",
      id: `delete${r.gv}Collection${r.scoped}${type.kind}`,
      description: `delete collection of ${type.kind}`,
      parameters: [
        ...DELETE_PARAMS,
        ...LIST_PARAMS.filter((p) => p.name !== "watch" && p.name !== "allowWatchBookmarks"),
      ],
      body: { types: ["application/json"], schema: DELETE_OPTIONS },
      responses: responses({ 200: "OK" }, STATUS),
    });
  }
  return node;
}

type ItemOptions = { suffix: string; schema: string; gvk: JsonObject; what: string; deletable?: boolean };

/** GET, PUT, PATCH (and DELETE for the object itself) on one object or one of its subresources. */
function itemPath(r: Resource, o: ItemOptions): JsonObject {
  const kind = r.type.kind;
  const target = o.what ? `${o.what} of the specified ${kind}` : `the specified ${kind}`;
  const ctx: Context = { ...r.ctx, gvk: o.gvk };
  const node: JsonObject = { parameters: [NAME(kind), ...r.scope] };
  if (r.can("get")) {
    node.get = operation(ctx, {
      action: "get",
      id: operationId(r, "read", o.suffix),
      description: `read ${target}`,
      responses: responses({ 200: "OK" }, o.schema),
    });
  }
  if (r.can("update")) {
    node.put = operation(ctx, {
      action: "put",
      id: operationId(r, "replace", o.suffix),
      description: `replace ${target}`,
      parameters: WRITE_PARAMS,
      body: { types: JSON_YAML, schema: o.schema },
      responses: responses({ 200: "OK", 201: "Created" }, o.schema),
    });
  }
  if (r.can("patch")) {
    node.patch = operation(ctx, {
      action: "patch",
      id: operationId(r, "patch", o.suffix),
      description: `partially update ${target}`,
      parameters: [...WRITE_PARAMS, FORCE],
      body: { types: r.patchTypes, schema: PATCH },
      responses: responses({ 200: "OK", 201: "Created" }, o.schema),
    });
  }
  if (o.deletable && r.can("delete")) {
    node.delete = operation(ctx, {
      action: "delete",
      id: operationId(r, "delete"),
      description: `delete a ${kind}`,
      parameters: DELETE_PARAMS,
      body: { types: ["application/json"], schema: DELETE_OPTIONS },
      responses: responses({ 200: "OK", 202: "Accepted" }, STATUS),
    });
  }
  return node;
}

function allNamespacesPath(r: Resource): JsonObject {
  return {
    parameters: [PRETTY],
    get: operation(r.ctx, {
      action: "list",
      id: `list${r.gv}${r.type.kind}ForAllNamespaces`,
      description: `list or watch objects of kind ${r.type.kind}`,
      parameters: LIST_PARAMS,
      responses: responses({ 200: "OK" }, r.names.list, WATCH_TYPES),
    }),
  };
}

/** The deprecated `/watch/` paths, still published by kube-apiserver. */
function watchPaths(r: Resource): Record<string, JsonObject> {
  const { type } = r;
  const watch = (action: string, id: string, what: string, parameters: JsonObject[]): JsonObject => ({
    parameters,
    get: operation(r.ctx, {
      action,
      id,
      description: `watch ${what} of kind ${type.kind}`,
      parameters: LIST_PARAMS,
      responses: responses({ 200: "OK" }, WATCH_EVENT, WATCH_TYPES),
    }),
  });
  const base = type.namespaced
    ? `${r.prefix}/watch/namespaces/{namespace}/${type.plural}`
    : `${r.prefix}/watch/${type.plural}`;
  const paths: Record<string, JsonObject> = {
    [base]: watch("watchlist", operationId(r, "watch", "List"), "changes to a list", r.scope),
    [`${base}/{name}`]: watch("watch", operationId(r, "watch"), "changes to an object", [
      NAME(type.kind),
      ...r.scope,
    ]),
  };
  if (type.namespaced) {
    const id = `watch${r.gv}${type.kind}ListForAllNamespaces`;
    paths[`${r.prefix}/watch/${type.plural}`] = watch("watchlist", id, "changes to a list", [PRETTY]);
  }
  return paths;
}
