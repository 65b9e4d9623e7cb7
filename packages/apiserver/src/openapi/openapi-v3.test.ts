import assert from "node:assert/strict";
import { test } from "node:test";
import { definitionName, operationGroupVersion } from "./definition-names.ts";
import { collectRefs, type Json, type JsonObject } from "./json.ts";
import { groupVersionDocument, groupVersionPath, rootDocument } from "./openapi-v3.ts";
import { configMaps, deployments, memberClusters, resolver } from "./resources.fixture.ts";

function obj(value: Json | undefined): JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? value : {};
}

function schemasOf(doc: JsonObject): JsonObject {
  return obj(obj(doc.components).schemas);
}

function assertRefsResolve(doc: JsonObject): void {
  const schemas = schemasOf(doc);
  const refs = collectRefs(doc);
  assert.ok(refs.length > 0);
  for (const ref of refs) {
    assert.match(ref, /^#\/components\/schemas\/[^/~]+$/);
    assert.ok(ref.slice("#/components/schemas/".length) in schemas, `dangling ${ref}`);
  }
}

test("definition names follow Kubernetes: Go packages for built-ins, reversed group for CRDs", () => {
  assert.equal(definitionName({ group: "", version: "v1", kind: "Pod" }), "io.k8s.api.core.v1.Pod");
  assert.equal(
    definitionName({ group: "apps", version: "v1", kind: "Deployment" }),
    "io.k8s.api.apps.v1.Deployment",
  );
  assert.equal(
    definitionName({ group: "rbac.authorization.k8s.io", version: "v1", kind: "Role" }),
    "io.k8s.api.rbac.v1.Role",
  );
  assert.equal(
    definitionName({ group: "cluster.atoll.io", version: "v1alpha1", kind: "MemberCluster" }),
    "io.atoll.cluster.v1alpha1.MemberCluster",
  );
  assert.equal(
    operationGroupVersion({ group: "rbac.authorization.k8s.io", version: "v1" }),
    "RbacAuthorizationV1",
  );
  assert.equal(groupVersionPath({ group: "", version: "v1" }), "api/v1");
  assert.equal(groupVersionPath({ group: "apps", version: "v1" }), "apis/apps/v1");
});

test("the root document points at each group version with its hash", () => {
  assert.deepEqual(rootDocument([{ path: "api/v1", hash: "ABC" }]), {
    paths: { "api/v1": { serverRelativeURL: "/openapi/v3/api/v1?hash=ABC" } },
  });
});

test("a CRD's group-version document has its kinds, meta types and paths, and every ref resolves", () => {
  const doc = groupVersionDocument([memberClusters()], resolver);
  assert.equal(doc.openapi, "3.0.0");
  const schemas = schemasOf(doc);
  const kind = obj(schemas["io.atoll.cluster.v1alpha1.MemberCluster"]);
  assert.deepEqual(kind["x-kubernetes-group-version-kind"], [
    { group: "cluster.atoll.io", kind: "MemberCluster", version: "v1alpha1" },
  ]);
  const list = obj(schemas["io.atoll.cluster.v1alpha1.MemberClusterList"]);
  assert.deepEqual(list.required, ["items"]);
  for (const meta of ["ObjectMeta", "ListMeta", "Status", "DeleteOptions", "Patch", "WatchEvent"]) {
    assert.ok(`io.k8s.apimachinery.pkg.apis.meta.v1.${meta}` in schemas, meta);
  }
  const spec = obj(obj(kind.properties).spec);
  const port = obj(obj(spec.properties).port);
  assert.deepEqual(port.anyOf, [{ type: "integer" }, { type: "string" }]);
  assert.equal(port["x-kubernetes-int-or-string"], true);
  const taints = obj(obj(spec.properties).taints);
  assert.equal(taints["x-kubernetes-list-type"], "map");
  assert.deepEqual(taints["x-kubernetes-list-map-keys"], ["key"]);
  assert.equal(taints["x-kubernetes-patch-strategy"], undefined, "CRDs do not support strategic merge patch");
  assertRefsResolve(doc);
  assert.deepEqual(Object.keys(obj(doc.paths)).sort(), [
    "/apis/cluster.atoll.io/v1alpha1/memberclusters",
    "/apis/cluster.atoll.io/v1alpha1/memberclusters/{name}",
    "/apis/cluster.atoll.io/v1alpha1/memberclusters/{name}/scale",
    "/apis/cluster.atoll.io/v1alpha1/memberclusters/{name}/status",
    "/apis/cluster.atoll.io/v1alpha1/watch/memberclusters",
    "/apis/cluster.atoll.io/v1alpha1/watch/memberclusters/{name}",
  ]);
});

test("write operations list fieldValidation; every operation names its action and kind", () => {
  const doc = groupVersionDocument([deployments], resolver);
  let writes = 0;
  for (const [path, item] of Object.entries(obj(doc.paths))) {
    for (const [method, op] of Object.entries(obj(item))) {
      if (method === "parameters") continue;
      const operation = obj(op);
      assert.equal(typeof operation["x-kubernetes-action"], "string", `${method} ${path}`);
      assert.equal(
        Object.keys(obj(operation["x-kubernetes-group-version-kind"])).length,
        3,
        `${method} ${path}`,
      );
      if (method === "post" || method === "put" || method === "patch") {
        writes++;
        const names = (operation.parameters as Json[]).map((p) => obj(p).name);
        assert.ok(names.includes("fieldValidation"), `${method} ${path} lacks fieldValidation`);
        assert.ok(names.includes("fieldManager") && names.includes("dryRun"));
      }
    }
  }
  assert.equal(writes, 7);
  const scale = obj(obj(obj(doc.paths)["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]).get);
  assert.deepEqual(scale["x-kubernetes-group-version-kind"], {
    group: "autoscaling",
    kind: "Scale",
    version: "v1",
  });
  const list = obj(obj(obj(doc.paths)["/apis/apps/v1/deployments"]).get);
  assert.equal(list.operationId, "listAppsV1DeploymentForAllNamespaces");
  assert.equal(list["x-kubernetes-action"], "list");
});

test("built-in shapes: named types, meta aliases, cycles and strategic-merge extensions", () => {
  const doc = groupVersionDocument([deployments, configMaps], resolver);
  const schemas = schemasOf(doc);
  for (const name of [
    "io.k8s.api.apps.v1.DeploymentSpec",
    "io.k8s.api.core.v1.PodTemplateSpec",
    "io.k8s.api.core.v1.Container",
    "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector",
    "io.k8s.api.core.v1.ConfigMap",
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
    "io.k8s.apimachinery.pkg.api.resource.Quantity",
  ]) {
    assert.ok(name in schemas, name);
  }
  const template = obj(obj(schemas["io.k8s.api.core.v1.PodTemplateSpec"]).properties);
  assert.deepEqual(template.metadata, {
    $ref: "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
  });
  const containers = obj(obj(obj(schemas["io.k8s.api.core.v1.PodSpec"]).properties).containers);
  assert.equal(containers["x-kubernetes-patch-strategy"], "merge");
  assert.equal(containers["x-kubernetes-patch-merge-key"], "name");
  assert.equal(containers["x-kubernetes-list-type"], "map");
  const selector = obj(schemas["io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector"]);
  assert.equal(selector["x-kubernetes-map-type"], "atomic");
  const patch = obj(obj(obj(doc.paths)["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]).patch);
  assert.ok("application/strategic-merge-patch+json" in obj(obj(patch.requestBody).content));
  assertRefsResolve(doc);
});

test("an unresolvable ref becomes an open definition instead of breaking the document", () => {
  const broken = {
    ...configMaps,
    shape: { type: "struct" as const, fields: { x: { type: "ref" as const, name: "Missing" } } },
  };
  const doc = groupVersionDocument([broken], resolver);
  assert.deepEqual(obj(schemasOf(doc).Missing)["x-kubernetes-preserve-unknown-fields"], true);
  assertRefsResolve(doc);
});
