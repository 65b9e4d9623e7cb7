import assert from "node:assert/strict";
import { test } from "node:test";
import type { Shape } from "../schema/shape.ts";
import { memberClusterDefinition, memberClusterSchema } from "./member-cluster.fixture.ts";
import { resourceTypesFromDefinition } from "./resource-types.ts";
import { schemaToShape } from "./schema-to-shape.ts";

function field(shape: Shape, ...path: string[]): Shape {
  let current = shape;
  for (const name of path) {
    if (current.type === "struct") current = current.fields[name];
    else if (current.type === "list") current = current.items;
    else if (current.type === "map") current = current.values;
    else assert.fail(`no field ${name} in ${current.type}`);
    assert.ok(current, `missing ${name}`);
  }
  return current;
}

test("scalars keep type, enum, format and description", () => {
  const shape = schemaToShape(memberClusterSchema());
  assert.deepEqual(field(shape, "spec", "endpoint"), {
    type: "scalar",
    scalar: "string",
    description: "API server URL.",
  });
  assert.deepEqual(field(shape, "spec", "region"), { type: "scalar", scalar: "string", enum: ["eu", "us"] });
  assert.deepEqual(field(shape, "spec", "replicas"), { type: "scalar", scalar: "integer" });
  assert.deepEqual(field(shape, "spec", "weight"), { type: "scalar", scalar: "number" });
  assert.deepEqual(field(shape, "spec", "port"), { type: "scalar", scalar: "int-or-string" });
  assert.deepEqual(field(shape, "spec", "joinedAt"), { type: "scalar", scalar: "date-time" });
});

test("structs carry required fields; maps come from additionalProperties", () => {
  const shape = schemaToShape(memberClusterSchema());
  const spec = field(shape, "spec");
  assert.equal(spec.type, "struct");
  assert.deepEqual(spec.type === "struct" && spec.required, ["endpoint"]);
  assert.equal(spec.description, "Desired state.");
  assert.deepEqual(field(shape, "spec", "labels"), {
    type: "map",
    values: { type: "scalar", scalar: "string" },
  });
});

test("lists keep their list type and map keys", () => {
  const shape = schemaToShape(memberClusterSchema());
  const taints = field(shape, "spec", "taints");
  assert.equal(taints.type, "list");
  assert.equal(taints.type === "list" && taints.listType, "map");
  assert.deepEqual(taints.type === "list" && taints.keys, ["key"]);
  assert.equal(
    field(shape, "spec", "zones").type === "list" &&
      (field(shape, "spec", "zones") as { listType: string }).listType,
    "set",
  );
  const plain = schemaToShape({ type: "array", items: { type: "string" } }, { root: false });
  assert.deepEqual(plain, { type: "list", items: { type: "scalar", scalar: "string" }, listType: "atomic" });
});

test("preserve-unknown-fields becomes an open struct, or any without properties", () => {
  const shape = schemaToShape(memberClusterSchema());
  const settings = field(shape, "spec", "settings");
  assert.equal(settings.type === "struct" && settings.open, true);
  assert.deepEqual(
    schemaToShape({ type: "object", "x-kubernetes-preserve-unknown-fields": true }, { root: false }),
    {
      type: "any",
    },
  );
});

test("the root and embedded resources get apiVersion, kind and ObjectMeta metadata", () => {
  const shape = schemaToShape(memberClusterSchema());
  assert.equal(field(shape, "apiVersion").type, "scalar");
  assert.equal(field(shape, "kind").type, "scalar");
  const metadata = field(shape, "metadata");
  assert.equal(metadata.type, "struct");
  assert.ok(metadata.type === "struct" && metadata.fields.labels && metadata.fields.ownerReferences);
  const owners = field(shape, "metadata", "ownerReferences");
  assert.deepEqual(owners.type === "list" && owners.keys, ["uid"]);
  assert.equal(
    field(shape, "metadata", "finalizers").type === "list" &&
      (field(shape, "metadata", "finalizers") as { listType: string }).listType,
    "set",
  );
  assert.equal(field(shape, "spec", "template", "metadata", "name").type, "scalar");
  assert.equal(
    field(shape, "spec", "template").type === "struct" &&
      (field(shape, "spec", "template") as { open?: boolean }).open,
    true,
  );
});

test("a CRD yields one resource type per served version", () => {
  const crd = memberClusterDefinition();
  crd.spec!.versions!.push({ ...crd.spec!.versions![0], name: "v1alpha0", served: false, storage: false });
  const types = resourceTypesFromDefinition(crd);
  assert.equal(types.length, 1);
  const [type] = types;
  assert.equal(type.group, "cluster.atoll.io");
  assert.equal(type.version, "v1alpha1");
  assert.equal(type.kind, "MemberCluster");
  assert.equal(type.listKind, "MemberClusterList");
  assert.equal(type.namespaced, false);
  assert.deepEqual(type.shortNames, ["mc"]);
  assert.deepEqual(type.subresources, {
    status: true,
    scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.nodes" },
  });
  assert.deepEqual(
    type.printerColumns?.map((c) => c.name),
    ["Region", "Age"],
  );
  assert.equal(type.shape.type, "struct");
});
