import assert from "node:assert/strict";
import { test } from "node:test";
import type { ResourceType } from "../resources/resource-type.ts";
import { type Json, type JsonObject, stableStringify } from "./json.ts";
import { OpenAPIPublisher } from "./openapi-publisher.ts";
import { configMaps, deployments, memberClusters, resolver } from "./resources.fixture.ts";

/**
 * kubectl's consumers of the OpenAPI v3 documents, re-implemented from
 * k8s.io/kubectl and client-go: the fieldValidation probe
 * (QueryParamVerifierV3), the strategic-merge-patch probe of `kubectl apply`
 * (gvkSupportsPatchOpenAPIV3) and `kubectl explain`'s template logic.
 */
type GVK = { group: string; version: string; kind: string };

function obj(value: Json | undefined): JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? value : {};
}

function fetchGroupVersion(publisher: OpenAPIPublisher, group: string, version: string): JsonObject {
  const root = JSON.parse(publisher.serve({ path: "/openapi/v3" }).body) as JsonObject;
  const key = group ? `apis/${group}/${version}` : `api/${version}`;
  const url = obj(obj(root.paths)[key]).serverRelativeURL;
  assert.equal(typeof url, "string", `no ${key} in /openapi/v3`);
  const [path, query] = String(url).split("?");
  const response = publisher.serve({ path, query: new URLSearchParams(query) });
  assert.equal(response.status, 200);
  return JSON.parse(response.body) as JsonObject;
}

function sameGVK(ext: Json | undefined, gvk: GVK): boolean {
  const e = obj(ext);
  return e.group === gvk.group && e.version === gvk.version && e.kind === gvk.kind;
}

/** supportsQueryParamV3: the first PATCH operation for the GVK decides. */
function supportsQueryParam(doc: JsonObject, gvk: GVK, param: string): boolean {
  for (const item of Object.values(obj(doc.paths))) {
    const patch = obj(obj(item).patch);
    if (!sameGVK(patch["x-kubernetes-group-version-kind"], gvk)) continue;
    const params = Array.isArray(patch.parameters) ? patch.parameters : [];
    return params.some((p) => obj(p).name === param && obj(p).in === "query");
  }
  throw new Error(`Path not found for GVK ${JSON.stringify(gvk)}`);
}

function supportsStrategicMerge(doc: JsonObject, gvk: GVK): boolean {
  for (const item of Object.values(obj(doc.paths))) {
    const patch = obj(obj(item).patch);
    if (sameGVK(patch["x-kubernetes-group-version-kind"], gvk)) {
      return "application/strategic-merge-patch+json" in obj(obj(patch.requestBody).content);
    }
  }
  return false;
}

function resolveRef(doc: JsonObject, ref: Json | undefined): JsonObject | undefined {
  if (typeof ref !== "string" || !ref.startsWith("#/")) return undefined;
  let current: JsonObject = doc;
  for (const part of ref.slice(2).split("/")) current = obj(current[part]);
  return current;
}

function typeGuess(doc: JsonObject, s: JsonObject): string {
  if (s.items) return `[]${typeGuess(doc, obj(s.items))}`;
  if (typeof s.additionalProperties === "object")
    return `map[string]${typeGuess(doc, obj(s.additionalProperties))}`;
  if (Array.isArray(s.allOf) && s.allOf.length === 1 && !s.properties) return typeGuess(doc, obj(s.allOf[0]));
  if (typeof s.$ref === "string") {
    const target = resolveRef(doc, s.$ref);
    if (!target?.type || target.type === "object")
      return s.$ref.split("/").at(-1)?.split(".").at(-1) ?? "Object";
    return String(target.type);
  }
  return s.type === "object" || !s.type ? "Object" : String(s.type);
}

type Explained = { gvk: GVK; field?: string; description: string; fields: string[] };

/** The plaintext explain template's lookups, returning what it would print. */
function explain(
  doc: JsonObject,
  group: string,
  version: string,
  resource: string,
  fieldPath: string[],
): Explained {
  const prefix = group ? `/apis/${group}` : "/api";
  const candidates = [
    `${prefix}/${version}/${resource}`,
    `${prefix}/${version}/${resource}/{name}`,
    `${prefix}/${version}/namespaces/{namespace}/${resource}`,
    `${prefix}/${version}/namespaces/{namespace}/${resource}/{name}`,
  ];
  let gvk: JsonObject | undefined;
  for (const candidate of candidates) {
    for (const method of ["get", "post", "put", "patch", "delete"]) {
      gvk ??= obj(obj(obj(obj(doc.paths)[candidate])[method])["x-kubernetes-group-version-kind"]);
      if (Object.keys(gvk).length === 0) gvk = undefined;
    }
  }
  assert.ok(gvk, `GVR ${resource} not found in OpenAPI schema`);
  const wanted = stableStringify(gvk);
  const schema = Object.values(obj(obj(doc.components).schemas)).find((s) => {
    const list = obj(s)["x-kubernetes-group-version-kind"];
    return Array.isArray(list) && list.some((g) => stableStringify(g) === wanted);
  });
  assert.ok(schema, `GVK ${wanted} not found in OpenAPI schema`);
  let current = obj(schema);
  let field: string | undefined;
  const path = [...fieldPath];
  while (path.length) {
    const resolved = resolveRef(doc, current.$ref) ?? current;
    const properties = obj(resolved.properties);
    if (path[0] in properties) {
      const sub = obj(properties[path[0]]);
      if (path.length === 1) field = `${path[0]} <${typeGuess(doc, sub)}>`;
      current = sub;
      path.shift();
    } else if (resolved.items) current = obj(resolved.items);
    else if (typeof resolved.additionalProperties === "object") current = obj(resolved.additionalProperties);
    else if (Array.isArray(resolved.allOf)) current = obj(resolved.allOf[0]);
    else throw new Error(`field "${path[0]}" does not exist`);
  }
  let resolved = resolveRef(doc, current.$ref) ?? current;
  while (!resolved.properties && (resolved.items || resolved.allOf)) {
    const next = resolved.items ? obj(resolved.items) : obj((resolved.allOf as Json[])[0]);
    resolved = resolveRef(doc, next.$ref) ?? next;
  }
  const required = Array.isArray(resolved.required) ? resolved.required : [];
  const fields = Object.entries(obj(resolved.properties)).map(
    ([name, s]) => `${name} <${typeGuess(doc, obj(s))}>${required.includes(name) ? " -required-" : ""}`,
  );
  return {
    gvk: gvk as GVK,
    field,
    description: String(current.description ?? resolved.description ?? ""),
    fields,
  };
}

function publisher(types: ResourceType[]): OpenAPIPublisher {
  const p = new OpenAPIPublisher({ resolver });
  p.setResources(types);
  return p;
}

test("kubectl sees fieldValidation support for built-in and custom kinds", () => {
  const p = publisher([deployments, configMaps, memberClusters()]);
  const cases: GVK[] = [
    { group: "apps", version: "v1", kind: "Deployment" },
    { group: "", version: "v1", kind: "ConfigMap" },
    { group: "cluster.atoll.io", version: "v1alpha1", kind: "MemberCluster" },
  ];
  for (const gvk of cases) {
    assert.equal(
      supportsQueryParam(fetchGroupVersion(p, gvk.group, gvk.version), gvk, "fieldValidation"),
      true,
    );
  }
});

test("kubectl apply uses strategic merge for built-ins and merge patch for CRDs", () => {
  const p = publisher([deployments, memberClusters()]);
  const apps = fetchGroupVersion(p, "apps", "v1");
  assert.equal(supportsStrategicMerge(apps, { group: "apps", version: "v1", kind: "Deployment" }), true);
  const mc = fetchGroupVersion(p, "cluster.atoll.io", "v1alpha1");
  assert.equal(
    supportsStrategicMerge(mc, { group: "cluster.atoll.io", version: "v1alpha1", kind: "MemberCluster" }),
    false,
  );
});

test("kubectl explain finds a CRD and walks its fields", () => {
  const doc = fetchGroupVersion(publisher([memberClusters()]), "cluster.atoll.io", "v1alpha1");
  const top = explain(doc, "cluster.atoll.io", "v1alpha1", "memberclusters", []);
  assert.deepEqual(top.gvk, { group: "cluster.atoll.io", kind: "MemberCluster", version: "v1alpha1" });
  assert.equal(top.description, "MemberCluster is a cluster joined to Atoll.");
  assert.deepEqual(top.fields, [
    "apiVersion <string>",
    "kind <string>",
    "metadata <ObjectMeta>",
    "spec <Object>",
    "status <Object>",
  ]);
  const taints = explain(doc, "cluster.atoll.io", "v1alpha1", "memberclusters", ["spec", "taints"]);
  assert.equal(taints.field, "taints <[]Object>");
  assert.deepEqual(taints.fields, ["effect <string>", "key <string> -required-"]);
  const endpoint = explain(doc, "cluster.atoll.io", "v1alpha1", "memberclusters", ["spec", "endpoint"]);
  assert.equal(endpoint.field, "endpoint <string>");
  assert.equal(endpoint.description, "API server URL.");
  const labels = explain(doc, "cluster.atoll.io", "v1alpha1", "memberclusters", ["metadata", "labels"]);
  assert.equal(labels.field, "labels <map[string]string>");
});

test("kubectl explain walks built-in kinds through references", () => {
  const doc = fetchGroupVersion(publisher([deployments]), "apps", "v1");
  const spec = explain(doc, "apps", "v1", "deployments", ["spec"]);
  assert.equal(spec.field, "spec <DeploymentSpec>");
  assert.ok(spec.fields.includes("template <PodTemplateSpec> -required-"));
  const containers = explain(doc, "apps", "v1", "deployments", ["spec", "template", "spec", "containers"]);
  assert.equal(containers.field, "containers <[]Container>");
  assert.ok(containers.fields.includes("name <string> -required-"));
  const surge = explain(doc, "apps", "v1", "deployments", ["spec", "strategy", "rollingUpdate", "maxSurge"]);
  assert.equal(surge.field, "maxSurge <IntOrString>");
  const limits = explain(doc, "apps", "v1", "deployments", [
    "spec",
    "template",
    "spec",
    "containers",
    "resources",
    "limits",
  ]);
  assert.equal(limits.field, "limits <map[string]Quantity>");
  const meta = explain(doc, "apps", "v1", "deployments", ["spec", "template", "metadata"]);
  assert.equal(meta.field, "metadata <ObjectMeta>");
  assert.throws(
    () => explain(doc, "apps", "v1", "deployments", ["spec", "nope"]),
    /field "nope" does not exist/,
  );
});
