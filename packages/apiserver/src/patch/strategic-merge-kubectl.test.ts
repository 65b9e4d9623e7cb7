/**
 * Strategic merge patches exactly as kubectl v1.32.3 sent them for `apply`,
 * `edit` and `patch` (recorded from a real kubectl against a recording server;
 * see testdata/kubectl-1.32-patches.json), applied to the live objects kubectl
 * was shown.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { builtinShapes } from "../schema/builtin/index.ts";
import type { JsonObject, JsonValue } from "./json-value.ts";
import { strategicMergePatch } from "./strategic-merge.ts";

const fixtures = JSON.parse(
  readFileSync(new URL("./testdata/kubectl-1.32-patches.json", import.meta.url), "utf8"),
) as Record<string, JsonObject>;
const DEPLOYMENT = { type: "ref", name: "io.k8s.api.apps.v1.Deployment" } as const;
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

function patchDeployment(live: JsonObject, patch: JsonObject): JsonObject {
  return strategicMergePatch(live, patch, DEPLOYMENT, builtinShapes);
}

type Container = { name: string; [field: string]: JsonValue };
function podSpec(object: JsonObject): JsonObject {
  return ((object.spec as JsonObject).template as JsonObject).spec as JsonObject;
}
function containers(object: JsonObject): Container[] {
  return podSpec(object).containers as Container[];
}
function metadata(object: JsonObject): JsonObject {
  return object.metadata as JsonObject;
}

test("kubectl apply: reorders, edits, adds containers, deletes an env var, swaps a volume source", () => {
  const live = fixtures.liveBefore;
  const patch = fixtures.applyReorderAndEdit;
  const result = patchDeployment(live, patch);

  const annotations = metadata(result).annotations as JsonObject;
  assert.equal(
    annotations[LAST_APPLIED],
    ((patch.metadata as JsonObject).annotations as JsonObject)[LAST_APPLIED],
  );
  assert.equal(annotations["deployment.kubernetes.io/revision"], "3");
  assert.deepEqual(metadata(result).labels, { app: "web" });

  assert.deepEqual(
    containers(result).map((c) => c.name),
    ["sidecar", "web", "logger"],
  );
  const [sidecar, web, logger] = containers(result);
  assert.equal(sidecar.image, "busybox:1.36");
  assert.deepEqual(sidecar.args, ["sleep", "1d"]);
  assert.equal(sidecar.imagePullPolicy, "IfNotPresent", "server-set fields survive");
  assert.equal(web.image, "nginx:1.27");
  assert.deepEqual(web.env, [{ name: "A", value: "1" }]);
  assert.deepEqual(web.ports, [{ containerPort: 80, protocol: "TCP" }, { containerPort: 443 }]);
  assert.equal(web.terminationMessagePath, "/dev/termination-log");
  assert.deepEqual(logger, { name: "logger", image: "fluent-bit" });
  for (const c of containers(result)) {
    assert.ok(!Object.keys(c).some((k) => k.startsWith("$")), "no directive is left in the object");
  }

  assert.deepEqual(podSpec(result).volumes, [{ name: "data", configMap: { name: "cfg" } }]);
  assert.equal(podSpec(result).restartPolicy, "Always");
  assert.deepEqual(result.status, live.status);
  assert.deepEqual(fixtures.liveBefore, JSON.parse(JSON.stringify(live)), "the live object is not modified");
});

test("kubectl apply: removes a container and a finalizer it had applied, keeping a controller's finalizer", () => {
  const result = patchDeployment(fixtures.liveWithFinalizers, fixtures.applyRemoveContainerAndFinalizer);
  assert.deepEqual(metadata(result).finalizers, ["example.com/a", "example.com/controller"]);
  assert.deepEqual(
    containers(result).map((c) => c.name),
    ["web"],
  );
  assert.equal(containers(result)[0].image, "nginx:1.25");
  const lastApplied = JSON.parse((metadata(result).annotations as JsonObject)[LAST_APPLIED] as string);
  assert.deepEqual(lastApplied.metadata.finalizers, ["example.com/a"]);
});

test("kubectl edit: changes an env value and image, drops a label and a finalizer", () => {
  const result = patchDeployment(fixtures.liveWithFinalizers, fixtures.editEnvAndLabels);
  assert.deepEqual(metadata(result).finalizers, ["example.com/a", "example.com/controller"]);
  assert.deepEqual(metadata(result).labels, { app: "web" });
  assert.equal((metadata(result).annotations as JsonObject)[LAST_APPLIED], "");
  assert.deepEqual(
    containers(result).map((c) => c.name),
    ["web", "sidecar"],
  );
  const [web, sidecar] = containers(result);
  assert.equal(web.image, "nginx:1.26");
  assert.deepEqual(web.env, [
    { name: "A", value: "1" },
    { name: "B", value: "3" },
  ]);
  assert.equal(sidecar.image, "busybox");
});

test("kubectl patch: a container image by name leaves the other containers alone", () => {
  const result = patchDeployment(fixtures.liveBefore, fixtures.patchImage);
  const [web, sidecar] = containers(result);
  assert.equal(web.image, "nginx:1.28");
  assert.deepEqual(web.env, [
    { name: "A", value: "1" },
    { name: "B", value: "2" },
  ]);
  assert.equal(sidecar.image, "busybox");
});

test("kubectl patch: null removes rollingUpdate when switching the strategy type", () => {
  const result = patchDeployment(fixtures.liveBefore, fixtures.patchStrategy);
  assert.deepEqual((result.spec as JsonObject).strategy, { type: "Recreate" });
});

test("kubectl apply's $retainKeys on a Deployment strategy drops the other union member", () => {
  const patch = { spec: { strategy: { $retainKeys: ["type"], rollingUpdate: null, type: "Recreate" } } };
  const result = patchDeployment(fixtures.liveBefore, patch);
  assert.deepEqual((result.spec as JsonObject).strategy, { type: "Recreate" });
});

test("kubectl apply adding the first finalizer and a new env list", () => {
  const patch: JsonObject = {
    metadata: { finalizers: ["example.com/new"] },
    spec: {
      template: {
        spec: {
          "$setElementOrder/containers": [{ name: "web" }, { name: "sidecar" }],
          containers: [{ name: "sidecar", env: [{ name: "X", value: "1" }] }],
        },
      },
    },
  };
  const result = patchDeployment(fixtures.liveBefore, patch);
  assert.deepEqual(metadata(result).finalizers, ["example.com/new"]);
  assert.deepEqual(containers(result)[1].env, [{ name: "X", value: "1" }]);
});
