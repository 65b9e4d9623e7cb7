import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { rewriteLocation } from "./forward-headers.ts";
import { parseForwardPath } from "./forward-path.ts";

describe("parseForwardPath", () => {
  test("KubeSphere-style paths forward everything after the member's name", () => {
    assert.deepEqual(parseForwardPath("/clusters/k8s-1/api/v1/pods"), {
      cluster: "k8s-1",
      prefix: "/clusters/k8s-1",
      path: "/api/v1/pods",
    });
    assert.equal(parseForwardPath("/clusters/k8s-1/openapi/v3")?.path, "/openapi/v3");
    assert.equal(parseForwardPath("/clusters/k8s-1/version")?.path, "/version");
    assert.equal(parseForwardPath("/clusters/k8s-1/")?.path, "/");
    assert.equal(parseForwardPath("/clusters/k8s-1")?.path, "/");
  });

  test("Karmada-style paths need the proxy subresource", () => {
    assert.deepEqual(
      parseForwardPath("/apis/cluster.atoll.io/v1alpha1/memberclusters/k8s-1/proxy/apis/apps/v1"),
      {
        cluster: "k8s-1",
        prefix: "/apis/cluster.atoll.io/v1alpha1/memberclusters/k8s-1/proxy",
        path: "/apis/apps/v1",
      },
    );
    assert.equal(parseForwardPath("/apis/cluster.atoll.io/v1alpha1/memberclusters/k8s-1/proxy")?.path, "/");
    assert.equal(parseForwardPath("/apis/cluster.atoll.io/v1alpha1/memberclusters/k8s-1"), undefined);
    assert.equal(parseForwardPath("/apis/cluster.atoll.io/v1alpha1/memberclusters/k8s-1/status"), undefined);
    assert.equal(
      parseForwardPath("/apis/cluster.atoll.io/v1alpha1/memberclusters/k8s-1/proxyx/api"),
      undefined,
    );
    assert.equal(parseForwardPath("/apis/cluster.atoll.io/v1alpha1/memberclusters"), undefined);
  });

  test("other paths, and a missing or undecodable name, are not forwarding paths", () => {
    for (const path of [
      "/api/v1/pods",
      "/clusters",
      "/clusters/",
      "/clusters//api",
      "/clusters/%E0%A4%A/api",
      "/clustersx/a",
    ]) {
      assert.equal(parseForwardPath(path), undefined, path);
    }
    assert.equal(parseForwardPath("/clusters/k8s%2D1/api")?.cluster, "k8s-1");
  });
});

describe("rewriteLocation", () => {
  const options = { prefix: "/clusters/k8s-1", server: "https://127.1.0.1:6443" };

  test("server-relative and same-origin locations stay behind the prefix", () => {
    assert.equal(
      rewriteLocation("/openapi/v3/api/v1?hash=AB", options),
      "/clusters/k8s-1/openapi/v3/api/v1?hash=AB",
    );
    assert.equal(rewriteLocation("https://127.1.0.1:6443/api?x=1", options), "/clusters/k8s-1/api?x=1");
  });

  test("the target server's own path is taken off", () => {
    const behind = { prefix: "/clusters/c", server: "https://rancher.example/k8s/clusters/c-1/" };
    assert.equal(rewriteLocation("/k8s/clusters/c-1/api/v1", behind), "/clusters/c/api/v1");
    assert.equal(rewriteLocation("https://rancher.example/k8s/clusters/c-1", behind), "/clusters/c/");
  });

  test("other origins and relative references pass unchanged", () => {
    assert.equal(rewriteLocation("https://elsewhere.example/x", options), "https://elsewhere.example/x");
    assert.equal(rewriteLocation("//elsewhere.example/x", options), "//elsewhere.example/x");
    assert.equal(rewriteLocation("next?page=2", options), "next?page=2");
  });
});
