import assert from "node:assert/strict";
import { test } from "node:test";
import type { KubeObject } from "@atoll/kube";
import { ignoreReason } from "./ignored.ts";
import { parseTemplateKey, templateKey } from "./template-key.ts";

test("template keys round-trip for core, grouped, namespaced and cluster-scoped kinds", () => {
  const refs = [
    { apiVersion: "apps/v1", kind: "Deployment", namespace: "ns", name: "web" },
    { apiVersion: "v1", kind: "ConfigMap", namespace: "ns", name: "cfg" },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", name: "reader" },
    { apiVersion: "v1", kind: "Namespace", name: "team" },
  ];
  assert.equal(templateKey(refs[0]), "apps/v1/Deployment/ns/web");
  assert.equal(templateKey(refs[1]), "/v1/ConfigMap/ns/cfg");
  assert.equal(templateKey(refs[2]), "rbac.authorization.k8s.io/v1/ClusterRole/reader");
  for (const ref of refs) assert.deepEqual(parseTemplateKey(templateKey(ref)), ref);
  assert.equal(parseTemplateKey("ns/name"), undefined);
  assert.equal(parseTemplateKey("apps/v1/Deployment/ns/"), undefined);
});

test("what is never propagated", () => {
  const object = (kind: string, name: string, namespace?: string): KubeObject => ({
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}) },
  });
  const ignored: Array<[string, KubeObject]> = [
    ["apps", object("Deployment", "dns", "kube-system")],
    ["", object("ConfigMap", "x", "kube-public")],
    ["", object("ConfigMap", "x", "kube-node-lease")],
    ["", object("Secret", "members", "atoll-system")],
    ["work.atoll.io", object("Work", "w", "atoll-es-k8s-1")],
    ["", object("ConfigMap", "x", "atoll-es-k8s-1")],
    ["policy.atoll.io", object("PropagationPolicy", "p", "apps")],
    ["cluster.atoll.io", object("MemberCluster", "k8s-1")],
    ["", object("ServiceAccount", "default", "apps")],
    ["", object("ConfigMap", "kube-root-ca.crt", "apps")],
    ["", object("Namespace", "kube-system")],
  ];
  for (const [group, o] of ignored) {
    assert.ok(
      ignoreReason(group, o),
      `${o.kind} ${o.metadata.namespace}/${o.metadata.name} should be ignored`,
    );
  }
  const propagated: Array<[string, KubeObject]> = [
    ["apps", object("Deployment", "web", "apps")],
    ["", object("ServiceAccount", "builder", "apps")],
    ["", object("ConfigMap", "app-config", "apps")],
    ["", object("Namespace", "apps")],
    ["rbac.authorization.k8s.io", object("ClusterRole", "reader")],
  ];
  for (const [group, o] of propagated) assert.equal(ignoreReason(group, o), undefined);
});
