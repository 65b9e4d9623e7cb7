import assert from "node:assert/strict";
import { test } from "node:test";
import { collectRefs, type Json, type JsonObject } from "./json.ts";
import { swaggerDocument } from "./openapi-v2.ts";
import { configMaps, deployments, memberClusters, resolver } from "./resources.fixture.ts";

function obj(value: Json | undefined): JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? value : {};
}

const doc = swaggerDocument([deployments, configMaps, memberClusters()], resolver, {
  serverVersion: "v1.31.0",
});
const definitions = obj(doc.definitions);

test("swagger 2.0 with every definition and every ref resolving under #/definitions", () => {
  assert.equal(doc.swagger, "2.0");
  assert.equal(obj(doc.info).version, "v1.31.0");
  for (const ref of collectRefs(doc)) {
    assert.match(ref, /^#\/definitions\//);
    assert.ok(ref.slice("#/definitions/".length) in definitions, `dangling ${ref}`);
  }
  assert.equal(/"(anyOf|oneOf)"/.test(JSON.stringify(doc)), false, "v2 has no anyOf or oneOf");
  const intOrString = obj(definitions["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]);
  assert.deepEqual([intOrString.type, intOrString.format], ["string", "int-or-string"]);
  const spec = obj(obj(obj(definitions["io.atoll.cluster.v1alpha1.MemberCluster"]).properties).spec);
  assert.deepEqual(obj(obj(spec.properties).port), { type: "string", "x-kubernetes-int-or-string": true });
});

test("kinds carry x-kubernetes-group-version-kind", () => {
  assert.deepEqual(obj(definitions["io.k8s.api.apps.v1.Deployment"])["x-kubernetes-group-version-kind"], [
    { group: "apps", kind: "Deployment", version: "v1" },
  ]);
  assert.deepEqual(
    obj(definitions["io.atoll.cluster.v1alpha1.MemberCluster"])["x-kubernetes-group-version-kind"],
    [{ group: "cluster.atoll.io", kind: "MemberCluster", version: "v1alpha1" }],
  );
  const metadata = obj(obj(obj(definitions["io.k8s.api.core.v1.ConfigMap"]).properties).metadata);
  assert.equal(metadata.$ref, "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
  assert.equal(metadata.allOf, undefined);
});

test("operations use body parameters, consumes and produces", () => {
  const item = obj(obj(doc.paths)["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]);
  const patch = obj(item.patch);
  assert.ok((patch.consumes as string[]).includes("application/strategic-merge-patch+json"));
  const params = (patch.parameters as Json[]).map(obj);
  assert.deepEqual(params[0], {
    name: "body",
    in: "body",
    required: true,
    schema: { $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch" },
  });
  const fieldValidation = params.find((p) => p.name === "fieldValidation");
  assert.deepEqual(fieldValidation && { in: fieldValidation.in, type: fieldValidation.type }, {
    in: "query",
    type: "string",
  });
  assert.deepEqual(patch["x-kubernetes-group-version-kind"], {
    group: "apps",
    kind: "Deployment",
    version: "v1",
  });
  assert.deepEqual(obj(obj(patch.responses)["200"]).schema, {
    $ref: "#/definitions/io.k8s.api.apps.v1.Deployment",
  });
  assert.ok((patch.produces as string[]).includes("application/json"));
  const crdPatch = obj(obj(obj(doc.paths)["/apis/cluster.atoll.io/v1alpha1/memberclusters/{name}"]).patch);
  assert.equal((crdPatch.consumes as string[]).includes("application/strategic-merge-patch+json"), false);
});
