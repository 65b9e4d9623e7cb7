import assert from "node:assert/strict";
import { test } from "node:test";
import type { StatusCause } from "../api/errors.ts";
import type { JSONSchemaProps } from "./definition.ts";
import { memberClusterSchema } from "./member-cluster.fixture.ts";
import { validateObject } from "./validate-object.ts";

function cluster(spec: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: "cluster.atoll.io/v1alpha1",
    kind: "MemberCluster",
    metadata: { name: "eu-1" },
    spec: { endpoint: "https://eu-1", replicas: 1, minReplicas: 0, ...spec },
  };
}

function lines(causes: StatusCause[]): string[] {
  return causes.map((c) => `${c.reason} ${c.field}: ${c.message}`);
}

test("a valid object has no causes", () => {
  const ok = cluster({ region: "eu", port: "https", joinedAt: "2024-05-01T10:00:00Z", zones: ["a", "b"] });
  assert.deepEqual(validateObject(ok, memberClusterSchema()), []);
});

test("type errors read like kube-apiserver's", () => {
  assert.deepEqual(lines(validateObject(cluster({ replicas: "three", port: true }), memberClusterSchema())), [
    'FieldValueTypeInvalid spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
    'FieldValueTypeInvalid spec.port: Invalid value: "boolean": spec.port in body must be of type integer or string: "boolean"',
  ]);
});

test("required, enum, bounds, lengths and patterns", () => {
  const obj = cluster({ endpoint: undefined, region: "mars", replicas: 11, weight: 0 });
  delete (obj.spec as Record<string, unknown>).endpoint;
  (obj.metadata as Record<string, unknown>).name = "a-very-long-cluster-name-indeed";
  assert.deepEqual(lines(validateObject(obj, memberClusterSchema())), [
    "FieldValueTooLong metadata.name: Too long: may not be more than 20 bytes",
    "FieldValueRequired spec.endpoint: Required value",
    "FieldValueInvalid spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10",
    'FieldValueNotSupported spec.region: Unsupported value: "mars": supported values: "eu", "us"',
    "FieldValueInvalid spec.weight: Invalid value: 0: spec.weight in body should be greater than 0",
  ]);
  assert.deepEqual(lines(validateObject(cluster({ endpoint: "http://x" }), memberClusterSchema())), [
    `FieldValueInvalid spec.endpoint: Invalid value: "http://x": spec.endpoint in body should match '^https://'`,
  ]);
});

test("formats: date-time and int32", () => {
  assert.deepEqual(lines(validateObject(cluster({ joinedAt: "yesterday" }), memberClusterSchema())), [
    'FieldValueTypeInvalid spec.joinedAt: Invalid value: "yesterday": spec.joinedAt in body must be of type date-time: "yesterday"',
  ]);
  const schema: JSONSchemaProps = { type: "object", properties: { n: { type: "integer", format: "int32" } } };
  assert.equal(validateObject({ n: 2 ** 31 }, schema)[0]?.reason, "FieldValueTypeInvalid");
  assert.deepEqual(validateObject({ n: 2 ** 31 - 1 }, schema), []);
});

test("lists: item paths, max items, duplicate map keys and set values", () => {
  const taints = [{ key: "a" }, { key: "" }, { key: "a" }, { key: "b" }, { key: "c" }];
  assert.deepEqual(lines(validateObject(cluster({ taints, zones: ["x", "x"] }), memberClusterSchema())), [
    "FieldValueTooMany spec.taints: Too many: 5: must have at most 4 items",
    'FieldValueDuplicate spec.taints[2]: Duplicate value: {"key":"a"}',
    'FieldValueInvalid spec.taints[1].key: Invalid value: "": spec.taints[1].key in body should be at least 1 chars long',
    'FieldValueDuplicate spec.zones[1]: Duplicate value: "x"',
  ]);
});

test("maps are validated per value; nullable allows null", () => {
  const obj = cluster({ labels: { a: "1", b: "2", c: "3", d: 4 } });
  obj.status = { nodes: null, phase: null };
  assert.deepEqual(lines(validateObject(obj, memberClusterSchema())), [
    "FieldValueTooMany spec.labels: Too many: 4: must have at most 3 items",
    'FieldValueTypeInvalid spec.labels.d: Invalid value: "integer": spec.labels.d in body must be of type string: "integer"',
    'FieldValueTypeInvalid status.phase: Invalid value: "null": status.phase in body must be of type string: "null"',
  ]);
});

test("oneOf, anyOf and not", () => {
  const schema: JSONSchemaProps = {
    type: "object",
    properties: { a: { type: "string" }, b: { type: "string" } },
    oneOf: [{ required: ["a"] }, { required: ["b"] }],
    not: { properties: { a: { enum: ["forbidden"] } } },
  };
  assert.deepEqual(validateObject({ a: "x" }, schema), []);
  assert.deepEqual(lines(validateObject({ a: "x", b: "y" }, schema)), [
    'FieldValueInvalid undefined: Invalid value: "": in body must validate one and only one schema (oneOf)',
  ]);
  assert.deepEqual(
    lines(validateObject({ a: "forbidden" }, schema)).at(-1),
    'FieldValueInvalid undefined: Invalid value: "": in body must not validate the schema (not)',
  );
});

test("CEL rules: message, default message, messageExpression, fieldPath and reason", () => {
  const schema: JSONSchemaProps = {
    type: "object",
    properties: {
      spec: {
        type: "object",
        properties: {
          min: { type: "integer" },
          max: { type: "integer" },
          items: { type: "array", items: { type: "string" } },
          labels: { type: "object", additionalProperties: { type: "string" } },
        },
        "x-kubernetes-validations": [
          { rule: "self.min <= self.max", message: "min must not exceed max" },
          { rule: "self.items.all(i, i.startsWith('a'))" },
          {
            rule: "size(self.items) < 3",
            messageExpression: "'too many items: ' + string(size(self.items))",
          },
          {
            rule: "!has(self.labels) || 'app' in self.labels",
            fieldPath: ".labels",
            reason: "FieldValueRequired",
          },
          {
            rule: "self.items.exists(i, i == 'ab') && self.items.map(i, i.size()).filter(n, n > 1).size() > 0",
          },
        ],
      },
    },
    "x-kubernetes-validations": [
      { rule: "self.metadata.name.startsWith('eu-')", message: "name must start with eu-" },
    ],
  };
  const obj = { metadata: { name: "us-1" }, spec: { min: 3, max: 1, items: ["ab", "b", "c"], labels: {} } };
  assert.deepEqual(
    lines(validateObject(obj, schema)),
    [
      'FieldValueInvalid <nil>: Invalid value: "object": name must start with eu-',
      'FieldValueInvalid spec: Invalid value: "object": min must not exceed max',
      "FieldValueInvalid spec: Invalid value: \"object\": failed rule: self.items.all(i, i.startsWith('a'))",
      'FieldValueInvalid spec: Invalid value: "object": too many items: 3',
      "FieldValueRequired spec.labels: Required value: failed rule: !has(self.labels) || 'app' in self.labels",
    ].sort((a, b) => (a.includes("<nil>") ? 1 : 0) - (b.includes("<nil>") ? 1 : 0)),
  );
});

test("CEL rules are skipped where the value has type errors, and evaluation errors are reported", () => {
  const schema: JSONSchemaProps = {
    type: "object",
    properties: {
      spec: {
        type: "object",
        properties: { n: { type: "integer" } },
        "x-kubernetes-validations": [{ rule: "self.n > 0" }],
      },
    },
  };
  assert.deepEqual(
    validateObject({ spec: { n: "x" } }, schema).map((c) => c.reason),
    ["FieldValueTypeInvalid"],
  );
  assert.deepEqual(lines(validateObject({ spec: {} }, schema)), [
    'FieldValueInvalid spec: Invalid value: "object": No such key: n evaluating rule: failed rule: self.n > 0',
  ]);
});

test("transition rules run only on update, against the correlated old value", () => {
  const schema = memberClusterSchema();
  assert.deepEqual(validateObject(cluster({ immutableId: "a" }), schema), []);
  assert.deepEqual(
    validateObject(cluster({ immutableId: "a" }), schema, { oldObject: cluster({ immutableId: "a" }) }),
    [],
  );
  assert.deepEqual(validateObject(cluster({ immutableId: "b" }), schema, { oldObject: cluster({}) }), []);
  assert.deepEqual(
    lines(
      validateObject(cluster({ immutableId: "b" }), schema, { oldObject: cluster({ immutableId: "a" }) }),
    ),
    ['FieldValueInvalid spec.immutableId: Invalid value: "string": immutableId is immutable'],
  );
});

test("optionalOldSelf lets a transition rule see that there is no old value", () => {
  const schema: JSONSchemaProps = {
    type: "object",
    properties: {
      spec: {
        type: "object",
        properties: { mode: { type: "string" } },
        "x-kubernetes-validations": [
          {
            rule: "!oldSelf.hasValue() || oldSelf.value().mode == self.mode",
            optionalOldSelf: true,
            message: "mode is immutable",
          },
        ],
      },
    },
  };
  assert.deepEqual(validateObject({ spec: { mode: "a" } }, schema), []);
  assert.equal(
    validateObject({ spec: { mode: "a" } }, schema, { oldObject: { spec: { mode: "b" } } }).length,
    1,
  );
});

test("integers are CEL ints, numbers doubles, date-times timestamps", () => {
  const schema: JSONSchemaProps = {
    type: "object",
    properties: { n: { type: "integer" }, d: { type: "number" }, t: { type: "string", format: "date-time" } },
    "x-kubernetes-validations": [
      { rule: "self.n + 1 == 3" },
      { rule: "self.d * 2.0 == 3.0" },
      { rule: "self.t < timestamp('2030-01-01T00:00:00Z')" },
      { rule: "[3, 1, 2].sort_by_missing == null" },
    ],
  };
  const causes = validateObject({ n: 2, d: 1.5, t: "2024-01-01T00:00:00Z" }, schema);
  assert.equal(causes.length, 1, JSON.stringify(causes));
  assert.match(causes[0].message, /evaluating rule/);
});

test("rules compile once per schema node", () => {
  const schema: JSONSchemaProps = { type: "object", "x-kubernetes-validations": [{ rule: "has(self.x)" }] };
  const started = performance.now();
  for (let i = 0; i < 2000; i++) validateObject({ x: i }, schema);
  assert.ok(performance.now() - started < 2000);
  assert.equal(validateObject({}, schema).length, 1);
});

test("a map list's items meet their old selves by key, wherever they moved in the list", () => {
  const schema: JSONSchemaProps = {
    type: "object",
    properties: {
      clusters: {
        type: "array",
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["name"],
        items: {
          type: "object",
          properties: { name: { type: "string" }, zone: { type: "string" } },
          "x-kubernetes-validations": [{ rule: "self.zone == oldSelf.zone", message: "zone is immutable" }],
        },
      },
    },
  };
  const old = {
    clusters: [
      { name: "a", zone: "z1" },
      { name: "b", zone: "z2" },
    ],
  };
  const reordered = {
    clusters: [
      { zone: "z2", name: "b" },
      { name: "c", zone: "z9" },
      { name: "a", zone: "z1" },
    ],
  };
  assert.deepEqual(validateObject(reordered, schema, { oldObject: old }), []);
  const moved = {
    clusters: [
      { name: "b", zone: "z1" },
      { name: "a", zone: "z1" },
    ],
  };
  assert.deepEqual(lines(validateObject(moved, schema, { oldObject: old })), [
    'FieldValueInvalid clusters[0]: Invalid value: "object": zone is immutable',
  ]);
});

test("long map lists validate in time proportional to their length", () => {
  const schema: JSONSchemaProps = {
    type: "object",
    properties: {
      items: {
        type: "array",
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["name"],
        items: { type: "object", properties: { name: { type: "string" }, n: { type: "integer" } } },
      },
    },
  };
  const list = (size: number) => ({
    items: Array.from({ length: size }, (_, i) => ({ name: `m-${i}`, n: i })),
  });
  const time = (size: number) => {
    const object = list(size);
    const started = performance.now();
    for (let i = 0; i < 20; i++) validateObject(object, schema, { oldObject: object });
    return performance.now() - started;
  };
  time(500);
  // Quadratic key matching made 20× the items ~400× the time; linear is ~20× (generous bound for a noisy machine).
  const ratio = time(10_000) / Math.max(time(500), 0.5);
  assert.ok(ratio < 100, `10,000 items took ${ratio.toFixed(0)}× the time of 500`);
  const duplicated = list(3);
  duplicated.items.push({ name: "m-1", n: 9 });
  assert.deepEqual(lines(validateObject(duplicated, schema)), [
    'FieldValueDuplicate items[3]: Duplicate value: {"name":"m-1"}',
  ]);
});
