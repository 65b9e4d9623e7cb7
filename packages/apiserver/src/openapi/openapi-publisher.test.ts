import assert from "node:assert/strict";
import { test } from "node:test";
import type { ResourceType } from "../resources/resource-type.ts";
import { OpenAPIPublisher, type ResourceSource } from "./openapi-publisher.ts";
import { configMaps, deployments, memberClusters, resolver } from "./resources.fixture.ts";

function rootPaths(p: OpenAPIPublisher): Record<string, { serverRelativeURL: string }> {
  return JSON.parse(JSON.stringify(p.v3Root())).paths;
}

test("documents are built once and reused until the resource set changes", () => {
  const p = new OpenAPIPublisher({ resolver });
  const types: ResourceType[] = [deployments, configMaps];
  p.setResources(types);
  const apps = p.v3("apis/apps/v1");
  assert.ok(apps);
  assert.equal(p.v3("apis/apps/v1"), apps, "same object: not rebuilt");
  assert.equal(p.v3Root(), p.v3Root());
  assert.equal(p.v2(), p.v2());
  assert.match(apps.etag, /^[0-9A-F]{128}$/);
  assert.equal(rootPaths(p)["apis/apps/v1"].serverRelativeURL, `/openapi/v3/apis/apps/v1?hash=${apps.etag}`);
  assert.deepEqual(Object.keys(rootPaths(p)), ["api/v1", "apis/apps/v1"]);
});

test("adding a CRD changes the root and v2 documents but keeps unchanged group versions", () => {
  const p = new OpenAPIPublisher({ resolver });
  p.setResources([deployments, configMaps]);
  const apps = p.v3("apis/apps/v1");
  const root = JSON.stringify(p.v3Root());
  const v2 = p.v2();
  p.setResources([deployments, configMaps, memberClusters()]);
  assert.equal(p.v3("apis/apps/v1"), apps);
  assert.notEqual(JSON.stringify(p.v3Root()), root);
  assert.notEqual(p.v2().etag, v2.etag);
  assert.ok("apis/cluster.atoll.io/v1alpha1" in rootPaths(p));
  p.setResources([deployments, configMaps]);
  assert.equal(p.v3("apis/cluster.atoll.io/v1alpha1"), undefined);
  assert.equal(JSON.stringify(p.v3Root()), root, "same content, same hashes");
});

test("a source is re-read only when its generation changes", () => {
  let reads = 0;
  let types: ResourceType[] = [deployments];
  const source: ResourceSource & { generation: number } = {
    generation: 1,
    all: () => {
      reads++;
      return [...types];
    },
  };
  const p = new OpenAPIPublisher({ resolver, source });
  const apps = p.v3("apis/apps/v1");
  p.v3Root();
  p.v2();
  assert.equal(reads, 1);
  types = [deployments, memberClusters()];
  source.generation = 2;
  assert.ok(p.v3("apis/cluster.atoll.io/v1alpha1"));
  assert.equal(p.v3("apis/apps/v1"), apps, "unchanged group version kept");
  assert.equal(reads, 2);
});

test("serve answers like kube-apiserver's OpenAPI handlers", () => {
  const p = new OpenAPIPublisher({ resolver });
  p.setResources([deployments, memberClusters()]);
  const doc = p.v3("apis/apps/v1");
  assert.ok(doc);

  const plain = p.serve({ path: "/openapi/v3/apis/apps/v1" });
  assert.equal(plain.status, 200);
  assert.equal(plain.headers.ETag, `"${doc.etag}"`);
  assert.equal(plain.headers["Cache-Control"], undefined);
  assert.equal(plain.body, doc.json);

  const hashed = p.serve({
    path: "/openapi/v3/apis/apps/v1",
    query: new URLSearchParams({ hash: doc.etag }),
  });
  assert.equal(hashed.headers["Cache-Control"], "public, immutable");

  const stale = p.serve({ path: "/openapi/v3/apis/apps/v1", query: new URLSearchParams({ hash: "OLD" }) });
  assert.equal(stale.status, 301);
  assert.equal(stale.headers.Location, `/openapi/v3/apis/apps/v1?hash=${doc.etag}`);

  assert.equal(p.serve({ path: "/openapi/v3/apis/apps/v1", ifNoneMatch: `"${doc.etag}"` }).status, 304);
  assert.equal(p.serve({ path: "/openapi/v3/apis/nope/v1" }).status, 404);
  const root = p.serve({ path: "/openapi/v3/" });
  assert.equal(JSON.parse(root.body).paths["apis/apps/v1"].serverRelativeURL.includes(doc.etag), true);
  assert.equal(p.serve({ path: "/openapi/v3", ifNoneMatch: root.headers.ETag }).status, 304);

  const v2 = p.serve({ path: "/openapi/v2", accept: "application/json" });
  assert.equal(v2.status, 200);
  assert.equal(JSON.parse(v2.body).swagger, "2.0");
  const protobuf = p.serve({
    path: "/openapi/v2",
    accept: "application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
  });
  assert.equal(protobuf.status, 406);
  assert.equal(JSON.parse(protobuf.body).reason, "NotAcceptable");
});
