import assert from "node:assert/strict";
import { test } from "node:test";
import type { StatusCause } from "../api/errors.ts";
import { type CustomResourceDefinition, defaultDefinition, type JSONSchemaProps } from "./definition.ts";
import { memberClusterDefinition } from "./member-cluster.fixture.ts";
import { validateDefinition } from "./validate-definition.ts";

function withSchema(schema: JSONSchemaProps): CustomResourceDefinition {
  const crd = memberClusterDefinition();
  const version = crd.spec!.versions![0];
  version.schema = { openAPIV3Schema: schema };
  delete version.subresources;
  return crd;
}

function summary(causes: StatusCause[]): string[] {
  return causes.map((c) => `${c.field}: ${c.message}`);
}

test("a valid CRD has no causes", () => {
  assert.deepEqual(validateDefinition(memberClusterDefinition()), []);
});

test("defaulting fills singular, listKind and conversion the way kube-apiserver does", () => {
  const crd = memberClusterDefinition();
  delete crd.spec!.names!.singular;
  delete crd.spec!.names!.listKind;
  delete crd.spec!.conversion;
  const defaulted = defaultDefinition(crd);
  assert.equal(defaulted.spec!.names!.singular, "membercluster");
  assert.equal(defaulted.spec!.names!.listKind, "MemberClusterList");
  assert.deepEqual(defaulted.spec!.conversion, { strategy: "None" });
  assert.deepEqual(validateDefinition(defaulted), []);
  assert.equal(crd.spec!.names!.singular, undefined, "input untouched");
});

test("metadata.name must be <plural>.<group>", () => {
  const crd = memberClusterDefinition();
  crd.metadata!.name = "clusters.cluster.atoll.io";
  assert.deepEqual(summary(validateDefinition(crd)), [
    'metadata.name: Invalid value: "clusters.cluster.atoll.io": must be spec.names.plural+"."+spec.group',
  ]);
});

test("names, group and scope follow Kubernetes' rules", () => {
  const crd = memberClusterDefinition();
  crd.metadata!.name = "MemberClusters.atoll";
  crd.spec!.group = "atoll";
  crd.spec!.scope = "Global";
  crd.spec!.names = {
    plural: "MemberClusters",
    kind: "Member Cluster",
    listKind: "Member Cluster",
    shortNames: ["m_c"],
  };
  const fields = validateDefinition(crd).map((c) => `${c.field} ${c.reason}`);
  assert.deepEqual(fields, [
    "metadata.name FieldValueInvalid",
    "spec.group FieldValueInvalid",
    "spec.scope FieldValueNotSupported",
    "spec.names.singular FieldValueRequired",
    "spec.names.plural FieldValueInvalid",
    "spec.names.kind FieldValueInvalid",
    "spec.names.listKind FieldValueInvalid",
    "spec.names.shortNames[0] FieldValueInvalid",
    "spec.names.listKind FieldValueInvalid",
  ]);
  const causes = validateDefinition(crd);
  assert.equal(
    causes.find((c) => c.field === "spec.group")?.message,
    'Invalid value: "atoll": should be a domain with at least one dot',
  );
  assert.equal(
    causes.find((c) => c.field === "spec.scope")?.message,
    'Unsupported value: "Global": supported values: "Cluster", "Namespaced"',
  );
  assert.match(
    causes.find((c) => c.field === "spec.names.plural")?.message ?? "",
    /a DNS-1035 label must consist of/,
  );
  assert.match(
    causes.find((c) => c.field === "spec.names.kind")?.message ?? "",
    /may have mixed case, but should otherwise match/,
  );
});

test("versions: unique names, exactly one storage version, at least one served", () => {
  const crd = memberClusterDefinition();
  const v1 = crd.spec!.versions![0];
  crd.spec!.versions = [
    { ...v1, served: false },
    { ...v1, served: false },
  ];
  const messages = validateDefinition(crd).map((c) => c.message.replace(/^Invalid value: .*?: (?=must)/, ""));
  assert.deepEqual(messages, [
    "must contain unique version names",
    "must have exactly one version marked as storage version",
    "must have at least one version marked as served",
  ]);
  crd.spec!.versions = [];
  assert.deepEqual(summary(validateDefinition(crd)), [
    "spec.versions: Required value: must have at least one version",
  ]);
});

test("every version needs a schema", () => {
  const crd = memberClusterDefinition();
  delete crd.spec!.versions![0].schema;
  assert.deepEqual(summary(validateDefinition(crd)), [
    "spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required",
  ]);
});

test("schemas must be structural", () => {
  const crd = withSchema({
    type: "object",
    properties: {
      metadata: { type: "object", properties: { labels: { type: "object" } } },
      spec: {
        type: "object",
        properties: { untyped: { description: "no type" }, list: { type: "array" } },
        anyOf: [{ type: "object", properties: { other: { minLength: 1 } } }],
      },
    },
  });
  assert.deepEqual(summary(validateDefinition(crd)), [
    "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[untyped].type: Required value: must not be empty for specified object fields",
    "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[list].items: Required value: must be specified",
    "spec.versions[0].schema.openAPIV3Schema.properties[spec].anyOf[0].type: Forbidden: must be empty to be structural",
    "spec.versions[0].schema.openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified",
    "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[other]: Required value: because it is defined in spec.versions[0].schema.openAPIV3Schema.properties[spec].anyOf[0].properties[other]",
  ]);
});

test("int-or-string may use the anyOf integer/string pattern", () => {
  const crd = withSchema({
    type: "object",
    properties: {
      port: { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] },
    },
  });
  assert.deepEqual(validateDefinition(crd), []);
});

test("unsupported keywords and list-type consistency are reported", () => {
  const crd = withSchema({
    type: "object",
    properties: {
      a: { type: "object", $ref: "#/definitions/x", "x-kubernetes-preserve-unknown-fields": false },
      b: { type: "string", "x-kubernetes-list-type": "set" },
      c: {
        type: "array",
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["name"],
        items: { type: "object", properties: { id: { type: "string" } } },
      },
      d: { type: "array", "x-kubernetes-list-type": "set", items: { type: "object", properties: {} } },
      e: { type: "array", uniqueItems: true, items: { type: "string" } },
    },
  });
  const prefix = "spec.versions[0].schema.openAPIV3Schema.properties";
  assert.deepEqual(summary(validateDefinition(crd)), [
    `${prefix}[a].$ref: Forbidden: $ref is not supported`,
    `${prefix}[a].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined`,
    `${prefix}[b].type: Invalid value: "string": must be array if x-kubernetes-list-type is specified`,
    `${prefix}[c].x-kubernetes-list-map-keys: Invalid value: ["name"]: entries must all be names of item properties`,
    `${prefix}[d].items.x-kubernetes-map-type: Invalid value: null: must be atomic as item of a list with x-kubernetes-list-type=set`,
    `${prefix}[e].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`,
  ]);
});

test("defaults must be pruned and valid", () => {
  const crd = withSchema({
    type: "object",
    properties: {
      spec: {
        type: "object",
        default: { unknown: 1 },
        properties: { replicas: { type: "integer", default: "three" } },
      },
    },
  });
  assert.deepEqual(summary(validateDefinition(crd)), [
    'spec.versions[0].schema.openAPIV3Schema.properties[spec].default: Invalid value: {"unknown":1}: must not have unknown fields',
    'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[replicas].default: Invalid value: "string": in body must be of type integer: "string"',
  ]);
});

test("defaults in top-level metadata are forbidden", () => {
  const crd = withSchema({
    type: "object",
    properties: { metadata: { type: "object", properties: { name: { type: "string", default: "x" } } } },
  });
  assert.deepEqual(summary(validateDefinition(crd)), [
    "spec.versions[0].schema.openAPIV3Schema.properties[metadata].properties[name].default: Forbidden: must not be set in top-level metadata",
  ]);
});

test("x-kubernetes-validations rules must compile", () => {
  const crd = withSchema({
    type: "object",
    "x-kubernetes-validations": [{ rule: "self.a +" }, { rule: "  " }, { rule: "true", reason: "Nope" }],
  });
  const causes = validateDefinition(crd);
  assert.deepEqual(
    causes.map((c) => c.field),
    ["spec.versions[0].schema.openAPIV3Schema.x-kubernetes-validations[1].rule"],
  );
  const compile = withSchema({
    type: "object",
    "x-kubernetes-validations": [{ rule: "self.a +" }, { rule: "true", reason: "Nope" }],
  });
  const messages = summary(validateDefinition(compile));
  assert.match(messages[0], /x-kubernetes-validations\[0\]\.rule: Invalid value: .*compilation failed/);
  assert.match(messages[1], /x-kubernetes-validations\[1\]\.reason: Unsupported value: "Nope"/);
});

test("with the status subresource, the root may only hold certain keywords", () => {
  const crd = memberClusterDefinition();
  crd.spec!.versions![0].schema!.openAPIV3Schema!.additionalProperties = { type: "string" };
  const causes = validateDefinition(crd);
  assert.equal(causes[0].field, "spec.versions[0].schema.openAPIV3Schema");
  assert.match(
    causes[0].message,
    /only \[Description Type Format .* XValidations\] fields are allowed at the root/,
  );
});

test("subresource paths and printer columns are checked", () => {
  const crd = memberClusterDefinition();
  const version = crd.spec!.versions![0];
  version.subresources = {
    scale: { specReplicasPath: ".status.replicas", statusReplicasPath: "status.replicas" },
  };
  version.additionalPrinterColumns = [{ name: "X", type: "object", jsonPath: "" }];
  assert.deepEqual(summary(validateDefinition(crd)), [
    'spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec',
    'spec.versions[0].subresources.scale.statusReplicasPath: Invalid value: "status.replicas": must be a simple json path starting with .',
    'spec.versions[0].additionalPrinterColumns[0].type: Invalid value: "object": must be one of boolean,date,integer,number,string',
    "spec.versions[0].additionalPrinterColumns[0].JSONPath: Required value",
  ]);
});

test("webhook conversion is not supported", () => {
  const crd = memberClusterDefinition();
  crd.spec!.conversion = { strategy: "Webhook", webhook: {} };
  assert.deepEqual(summary(validateDefinition(crd)), [
    'spec.conversion.strategy: Unsupported value: "Webhook": supported values: "None"',
  ]);
});

test("group, plural, scope and kind are immutable", () => {
  const old = memberClusterDefinition();
  const crd = memberClusterDefinition();
  crd.spec!.scope = "Namespaced";
  assert.deepEqual(summary(validateDefinition(crd, { old })), [
    'spec.scope: Invalid value: "Namespaced": field is immutable',
  ]);
});
