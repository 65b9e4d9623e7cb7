import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { concrete, type Shape } from "../shape.ts";
import { definitions } from "./definitions.generated.ts";
import { buildDefinitions } from "./generate.ts";
import { builtinKinds, builtinRootShapeName, builtinShapes, isBuiltinShapeName } from "./index.ts";
import { renderDefinitions } from "./render.ts";

type Concrete = Exclude<Shape, { type: "ref" }>;

/** Follows a dotted path of field names ("spec.template.spec.containers[]") from a root definition. */
function at(root: string, path: string): Concrete {
  let shape = concrete({ type: "ref", name: root }, builtinShapes);
  for (const step of path.split(".")) {
    const list = step.endsWith("[]");
    const field = list ? step.slice(0, -2) : step;
    assert.equal(shape.type, "struct", `${field} in ${root}.${path} is not under a struct`);
    if (shape.type !== "struct") throw new Error("unreachable");
    const next = shape.fields[field];
    assert.ok(next, `no field ${field} on the way to ${root}.${path}`);
    shape = concrete(next, builtinShapes);
    if (list) {
      assert.equal(shape.type, "list");
      if (shape.type === "list") shape = concrete(shape.items, builtinShapes);
    }
  }
  return shape;
}

function listAt(root: string, path: string): Extract<Shape, { type: "list" }> {
  const shape = at(root, path);
  if (shape.type !== "list") assert.fail(`${path} is a ${shape.type}, not a list`);
  return shape;
}

const POD = "io.k8s.api.core.v1.Pod";
const DEPLOYMENT = "io.k8s.api.apps.v1.Deployment";

test("builtinRootShapeName names the OpenAPI definition of each kind", () => {
  assert.equal(builtinRootShapeName("", "Pod"), POD);
  assert.equal(builtinRootShapeName("apps", "Deployment"), DEPLOYMENT);
  assert.equal(builtinRootShapeName("autoscaling", "Scale"), "io.k8s.api.autoscaling.v1.Scale");
  assert.equal(
    builtinRootShapeName("apiextensions.k8s.io", "CustomResourceDefinition"),
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition",
  );
  assert.equal(
    builtinRootShapeName("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    "io.k8s.api.rbac.v1.ClusterRoleBinding",
  );
  assert.throws(() => builtinRootShapeName("", "Deployment"), /no built-in shape for kind Deployment/);
  assert.throws(() => builtinRootShapeName("example.com", "Widget"), /Widget\.example\.com/);
});

test("every root and every reference resolves", () => {
  assert.equal(builtinKinds.length, 25);
  for (const kind of builtinKinds)
    assert.equal(concrete({ type: "ref", name: kind.definition }, builtinShapes).type, "struct");
  const refs = (shape: Shape): string[] =>
    shape.type === "ref"
      ? [shape.name]
      : shape.type === "list"
        ? refs(shape.items)
        : shape.type === "map"
          ? refs(shape.values)
          : shape.type === "struct"
            ? Object.values(shape.fields).flatMap(refs)
            : [];
  for (const [name, shape] of Object.entries(definitions)) {
    for (const ref of refs(shape)) assert.ok(isBuiltinShapeName(ref), `${name} refers to unknown ${ref}`);
  }
  assert.throws(() => builtinShapes.resolve("io.k8s.api.core.v1.Nope"), /unknown built-in shape/);
  assert.throws(() => builtinShapes.resolve("toString"), /unknown built-in shape/);
});

test("pod spec lists merge the way kubectl and the API server expect", () => {
  const spec = "spec";
  for (const field of [
    "containers",
    "initContainers",
    "ephemeralContainers",
    "imagePullSecrets",
    "schedulingGates",
  ]) {
    assert.deepEqual(
      pick(listAt(POD, `${spec}.${field}`)),
      { listType: "map", keys: ["name"], patchStrategy: "merge", patchMergeKey: "name" },
      field,
    );
  }
  assert.deepEqual(pick(listAt(POD, "spec.volumes")), {
    listType: "map",
    keys: ["name"],
    patchStrategy: "merge,retainKeys",
    patchMergeKey: "name",
  });
  assert.deepEqual(pick(listAt(POD, "spec.containers[].ports")), {
    listType: "map",
    keys: ["containerPort", "protocol"],
    patchStrategy: "merge",
    patchMergeKey: "containerPort",
  });
  assert.equal(listAt(POD, "spec.containers[].env").patchMergeKey, "name");
  assert.equal(listAt(POD, "spec.containers[].volumeMounts").patchMergeKey, "mountPath");
  assert.deepEqual(listAt(POD, "spec.containers[].volumeMounts").keys, ["mountPath"]);
  assert.equal(listAt(POD, "spec.containers[].volumeDevices").patchMergeKey, "devicePath");
  assert.deepEqual(pick(listAt(POD, "spec.tolerations")), { listType: "atomic" });
  assert.deepEqual(pick(listAt(POD, "spec.containers[].args")), { listType: "atomic" });
  assert.equal(listAt(POD, "spec.hostAliases").patchMergeKey, "ip");
  assert.deepEqual(listAt(POD, "spec.topologySpreadConstraints").keys, ["topologyKey", "whenUnsatisfiable"]);
  assert.equal(listAt(POD, "spec.topologySpreadConstraints").patchMergeKey, "topologyKey");
  assert.equal(listAt(POD, "status.conditions").patchMergeKey, "type");
  assert.deepEqual(listAt(POD, "status.podIPs").keys, ["ip"]);
  const nodeSelector = at(POD, "spec.nodeSelector");
  assert.ok(nodeSelector.type === "map" && nodeSelector.atomic);
});

test("metadata lists: finalizers merge as a set, ownerReferences by uid, managedFields atomic", () => {
  assert.deepEqual(pick(listAt(POD, "metadata.finalizers")), { listType: "set", patchStrategy: "merge" });
  assert.deepEqual(pick(listAt(POD, "metadata.ownerReferences")), {
    listType: "map",
    keys: ["uid"],
    patchStrategy: "merge",
    patchMergeKey: "uid",
  });
  assert.deepEqual(pick(listAt(POD, "metadata.managedFields")), { listType: "atomic" });
  assert.deepEqual(at(POD, "metadata.managedFields[].fieldsV1"), { type: "any" });
  const owner = at(POD, "metadata.ownerReferences[]");
  assert.ok(owner.type === "struct" && owner.atomic);
});

test("other kinds carry their list semantics", () => {
  const service = "io.k8s.api.core.v1.Service";
  assert.deepEqual(pick(listAt(service, "spec.ports")), {
    listType: "map",
    keys: ["port", "protocol"],
    patchStrategy: "merge",
    patchMergeKey: "port",
  });
  assert.equal(listAt(DEPLOYMENT, "status.conditions").patchMergeKey, "type");
  assert.equal(listAt(DEPLOYMENT, "spec.template.spec.containers").patchMergeKey, "name");
  assert.deepEqual(pick(listAt("io.k8s.api.batch.v1.Job", "status.conditions")), {
    listType: "atomic",
    patchStrategy: "merge",
    patchMergeKey: "type",
  });
  assert.equal(listAt("io.k8s.api.core.v1.ServiceAccount", "secrets").patchMergeKey, "name");
  assert.deepEqual(pick(listAt("io.k8s.api.core.v1.ServiceAccount", "imagePullSecrets")), {
    listType: "atomic",
  });
  assert.deepEqual(pick(listAt("io.k8s.api.core.v1.Node", "spec.podCIDRs")), {
    listType: "set",
    patchStrategy: "merge",
  });
  assert.deepEqual(pick(listAt("io.k8s.api.core.v1.Node", "spec.taints")), { listType: "atomic" });
  assert.deepEqual(pick(listAt("io.k8s.api.rbac.v1.RoleBinding", "subjects")), { listType: "atomic" });
  assert.deepEqual(pick(listAt("io.k8s.api.discovery.v1.EndpointSlice", "endpoints[].addresses")), {
    listType: "set",
  });
});

test("scalars have Kubernetes' types", () => {
  assert.deepEqual(at("io.k8s.api.core.v1.Service", "spec.ports[].targetPort"), {
    type: "scalar",
    scalar: "int-or-string",
  });
  assert.equal(scalarOf(at(DEPLOYMENT, "spec.strategy.rollingUpdate.maxSurge")), "int-or-string");
  assert.equal(scalarOf(at(DEPLOYMENT, "spec.replicas")), "integer");
  assert.equal(scalarOf(at(POD, "metadata.creationTimestamp")), "date-time");
  assert.equal(scalarOf(at(POD, "spec.containers[].livenessProbe.httpGet.port")), "int-or-string");
  const limits = at(POD, "spec.containers[].resources.limits");
  assert.deepEqual(limits, { type: "map", values: { type: "scalar", scalar: "quantity" } });
  const crd = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition";
  assert.equal(scalarOf(at(crd, "spec.versions[].schema.openAPIV3Schema.maximum")), "number");
  assert.equal(
    scalarOf(at(crd, "spec.versions[].schema.openAPIV3Schema.x-kubernetes-preserve-unknown-fields")),
    "boolean",
  );
  assert.deepEqual(at(crd, "spec.versions[].schema.openAPIV3Schema.items"), { type: "any" });
  assert.deepEqual(at(POD, "spec.restartPolicy"), {
    type: "scalar",
    scalar: "string",
    enum: ["Always", "Never", "OnFailure"],
  });
});

test("fields added up to Kubernetes 1.32 are present", () => {
  assert.equal(at(POD, "spec.resources").type, "struct");
  assert.equal(at(POD, "spec.volumes[].image.reference").type, "scalar");
  assert.equal(at(POD, "spec.resourceClaims[].resourceClaimTemplateName").type, "scalar");
  assert.equal(at(POD, "status.containerStatuses[].user.linux.uid").type, "scalar");
  assert.equal(at("io.k8s.api.coordination.v1.Lease", "spec.preferredHolder").type, "scalar");
  const claim = at(POD, "spec.resourceClaims[]");
  assert.ok(claim.type === "struct" && !("source" in claim.fields));
});

test("the generated table is what the generator produces from kubernetes-types", () => {
  const typesDir = dirname(createRequire(import.meta.url).resolve("kubernetes-types/package.json"));
  const version = (JSON.parse(readFileSync(join(typesDir, "package.json"), "utf8")) as { version: string })
    .version;
  const here = dirname(fileURLToPath(import.meta.url));
  const expected = renderDefinitions(buildDefinitions(typesDir), version);
  assert.equal(readFileSync(join(here, "definitions.generated.ts"), "utf8"), expected);
});

function pick(list: Extract<Shape, { type: "list" }>): Record<string, unknown> {
  const { listType, keys, patchStrategy, patchMergeKey } = list;
  return Object.fromEntries(
    Object.entries({ listType, keys, patchStrategy, patchMergeKey }).filter(([, v]) => v),
  );
}

function scalarOf(shape: Concrete): string {
  return shape.type === "scalar" ? shape.scalar : shape.type;
}
const owner = at(POD, "metadata.ownerReferences[]");
assert.ok(owner.type === "struct" && owner.atomic);
