import assert from "node:assert/strict";
import { test } from "node:test";
import {
  difference,
  fieldPaths,
  fieldSetOfPaths,
  hasPath,
  intersection,
  recursiveDifference,
  union,
} from "./field-set.ts";
import { decodeFieldsV1, encodeFieldsV1 } from "./fields-v1.ts";
import { formatPath } from "./path-element.ts";

/** What kube-apiserver records for `kubectl create` of the docs' nginx Deployment. */
const deploymentFields = {
  "f:metadata": {
    "f:annotations": { ".": {}, "f:deployment.kubernetes.io/revision": {} },
    "f:finalizers": { ".": {}, 'v:"example.com/protect"': {} },
    "f:labels": { ".": {}, "f:app": {} },
  },
  "f:spec": {
    "f:progressDeadlineSeconds": {},
    "f:replicas": {},
    "f:revisionHistoryLimit": {},
    "f:selector": {},
    "f:strategy": { "f:rollingUpdate": { ".": {}, "f:maxSurge": {}, "f:maxUnavailable": {} }, "f:type": {} },
    "f:template": {
      "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
      "f:spec": {
        "f:containers": {
          'k:{"name":"nginx"}': {
            ".": {},
            "f:image": {},
            "f:imagePullPolicy": {},
            "f:name": {},
            "f:ports": {
              ".": {},
              'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {}, "f:protocol": {} },
              'k:{"containerPort":8080,"protocol":"TCP"}': {
                ".": {},
                "f:containerPort": {},
                "f:protocol": {},
              },
            },
            "f:resources": {},
          },
        },
        "f:dnsPolicy": {},
        "f:restartPolicy": {},
      },
    },
  },
};

test("a realistic Deployment's FieldsV1 round-trips byte for byte", () => {
  const set = decodeFieldsV1(deploymentFields);
  assert.equal(JSON.stringify(encodeFieldsV1(set)), JSON.stringify(deploymentFields));
  assert.ok(
    hasPath(set, [
      "f:spec",
      "f:template",
      "f:spec",
      "f:containers",
      'k:{"name":"nginx"}',
      "f:ports",
      'k:{"containerPort":80,"protocol":"TCP"}',
    ]),
  );
  assert.ok(!hasPath(set, ["f:spec", "f:strategy"]), "a parent without `.` is not itself a member");
  assert.ok(hasPath(set, ["f:spec", "f:strategy", "f:rollingUpdate"]), "`.` makes the parent a member");
});

test("decoding canonicalizes keys and encoding sorts as structured-merge-diff does", () => {
  const set = decodeFieldsV1({
    'v:"b"': {},
    'k:{"protocol":"TCP","containerPort":8080}': {},
    'k:{"containerPort":80,"protocol":"TCP"}': {},
    "f:z": {},
    "f:a": {},
    'v:"a"': {},
  });
  assert.deepEqual(Object.keys(encodeFieldsV1(set)), [
    "f:a",
    "f:z",
    'k:{"containerPort":80,"protocol":"TCP"}',
    'k:{"containerPort":8080,"protocol":"TCP"}',
    'v:"a"',
    'v:"b"',
  ]);
});

test("malformed FieldsV1 is rejected", () => {
  assert.throws(() => decodeFieldsV1([]), /JSON object/);
  assert.throws(() => decodeFieldsV1({ "x:y": {} }), /unknown path element type/);
  assert.throws(() => decodeFieldsV1({ "k:{bad": {} }), /invalid path element/);
  assert.throws(() => decodeFieldsV1({ "f:a": "leaf" }), /expected an object/);
});

test("set algebra works on members, not on subtrees, except recursive difference", () => {
  const a = fieldSetOfPaths([["f:spec", "f:replicas"], ["f:spec", "f:paused"], ["f:metadata"]]);
  const b = fieldSetOfPaths([
    ["f:spec", "f:replicas"],
    ["f:metadata", "f:name"],
  ]);
  assert.deepEqual(fieldPaths(union(a, b)), [
    ["f:metadata"],
    ["f:metadata", "f:name"],
    ["f:spec", "f:paused"],
    ["f:spec", "f:replicas"],
  ]);
  assert.deepEqual(fieldPaths(intersection(a, b)), [["f:spec", "f:replicas"]]);
  assert.deepEqual(fieldPaths(difference(a, b)), [["f:metadata"], ["f:spec", "f:paused"]]);
  const status = fieldSetOfPaths([["f:spec"]]);
  assert.deepEqual(fieldPaths(recursiveDifference(union(a, b), status)), [
    ["f:metadata"],
    ["f:metadata", "f:name"],
  ]);
});

test("paths print as in conflict messages", () => {
  assert.equal(
    formatPath(["f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"nginx"}', "f:image"]),
    '.spec.template.spec.containers[name="nginx"].image',
  );
  assert.equal(
    formatPath(["f:ports", 'k:{"containerPort":80,"protocol":"TCP"}']),
    '.ports[containerPort=80,protocol="TCP"]',
  );
  assert.equal(formatPath(["f:metadata", "f:finalizers", 'v:"a"']), '.metadata.finalizers[="a"]');
});
