import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { StatusError } from "../api/errors.ts";
import {
  compileFieldSelector,
  escapeFieldValue,
  fieldsOf,
  parseFieldSelector,
  selectableFields,
} from "./field-selector.ts";

function rejects(run: () => unknown, message: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof StatusError);
    assert.equal(error.reason, "BadRequest");
    assert.equal(error.message, message);
    return true;
  });
}

describe("parseFieldSelector", () => {
  const cases: [input: string, canonical: string][] = [
    ["", ""],
    ["metadata.name=web", "metadata.name=web"],
    ["metadata.name==web", "metadata.name=web"],
    ["spec.nodeName!=n1", "spec.nodeName!=n1"],
    ["status.phase=Running,metadata.name=web", "metadata.name=web,status.phase=Running"],
    ["metadata.name=", "metadata.name="],
    [",metadata.name=web,", "metadata.name=web"],
    ["metadata.name=a\\,b", "metadata.name=a\\,b"],
    ["metadata.name=a\\=b\\\\c", "metadata.name=a\\=b\\\\c"],
  ];
  for (const [input, canonical] of cases) {
    test(JSON.stringify(input), () => assert.equal(parseFieldSelector(input).toString(), canonical));
  }

  test("unescapes values and keeps whitespace", () => {
    assert.deepEqual(parseFieldSelector("metadata.name=a\\,b\\=c\\\\d").requirements, [
      { field: "metadata.name", operator: "=", value: "a,b=c\\d" },
    ]);
    assert.deepEqual(parseFieldSelector(" a = b ").requirements, [
      { field: " a ", operator: "=", value: " b " },
    ]);
    assert.deepEqual(parseFieldSelector("a==b").requirements, [{ field: "a", operator: "==", value: "b" }]);
    assert.deepEqual(parseFieldSelector("a!=b").requirements, [{ field: "a", operator: "!=", value: "b" }]);
  });

  test("matches equality and inequality; a missing field reads as empty", () => {
    const fields = { "metadata.name": "web", "spec.nodeName": "" };
    assert.equal(parseFieldSelector("metadata.name=web").matches(fields), true);
    assert.equal(parseFieldSelector("metadata.name=api").matches(fields), false);
    assert.equal(parseFieldSelector("metadata.name!=api").matches(fields), true);
    assert.equal(parseFieldSelector("spec.nodeName=").matches(fields), true);
    assert.equal(parseFieldSelector("status.podIP=").matches(fields), true);
    assert.equal(parseFieldSelector("status.podIP!=").matches(fields), false);
    assert.equal(parseFieldSelector("metadata.name=web,spec.nodeName!=").matches(fields), false);
    assert.equal(parseFieldSelector("").matches(fields), true);
    assert.equal(parseFieldSelector("").empty, true);
    assert.equal(parseFieldSelector("a=b").empty, false);
  });

  test("requiresExactMatch", () => {
    const selector = parseFieldSelector("spec.nodeName==n1,metadata.name!=x");
    assert.equal(selector.requiresExactMatch("spec.nodeName"), "n1");
    assert.equal(selector.requiresExactMatch("metadata.name"), undefined);
  });

  test("malformed selectors", () => {
    rejects(() => parseFieldSelector("web"), "invalid selector: 'web'; can't understand 'web'");
    rejects(
      () => parseFieldSelector("metadata.name=web,oops"),
      "invalid selector: 'metadata.name=web,oops'; can't understand 'oops'",
    );
    rejects(() => parseFieldSelector("a=b=c"), "invalid field selector: unescaped character in value: 61");
    rejects(() => parseFieldSelector("a=b\\x"), "invalid field selector: invalid escape sequence: \\x");
    rejects(() => parseFieldSelector("a=b\\"), "invalid field selector: invalid escape sequence: \\");
  });
});

describe("compileFieldSelector", () => {
  const pods = { group: "", plural: "pods" };
  const supported = (field: string) => selectableFields(pods).includes(field);

  test("accepts the pod fields kube-apiserver supports", () => {
    const selector = compileFieldSelector("spec.nodeName=n1,status.phase!=Succeeded", supported);
    assert.equal(selector.toString(), "spec.nodeName=n1,status.phase!=Succeeded");
  });

  test("rejects the first unsupported field in evaluation order", () => {
    rejects(
      () => compileFieldSelector("spec.containers=x", supported),
      "field label not supported: spec.containers",
    );
    rejects(() => compileFieldSelector("zeta=1,alpha=2", supported), "field label not supported: alpha");
    rejects(
      () => compileFieldSelector(" metadata.name=web", supported),
      "field label not supported:  metadata.name",
    );
  });

  test("reports syntax errors before unsupported fields", () => {
    rejects(
      () => compileFieldSelector("nonsense", supported),
      "invalid selector: 'nonsense'; can't understand 'nonsense'",
    );
  });
});

describe("selectable fields per kind", () => {
  test("names", () => {
    assert.deepEqual(selectableFields({ group: "", plural: "configmaps" }), [
      "metadata.name",
      "metadata.namespace",
    ]);
    assert.deepEqual(selectableFields({ group: "", plural: "nodes" }), [
      "metadata.name",
      "spec.unschedulable",
    ]);
    assert.deepEqual(selectableFields({ group: "", plural: "namespaces" }), [
      "metadata.name",
      "status.phase",
    ]);
    assert.deepEqual(selectableFields({ group: "", plural: "secrets" }), [
      "metadata.name",
      "metadata.namespace",
      "type",
    ]);
    assert.deepEqual(selectableFields({ group: "apps", plural: "replicasets" }), [
      "metadata.name",
      "metadata.namespace",
      "status.replicas",
    ]);
    assert.deepEqual(selectableFields({ group: "batch", plural: "jobs" }), [
      "metadata.name",
      "metadata.namespace",
      "status.successful",
    ]);
    assert.deepEqual(selectableFields({ group: "example.com", plural: "widgets", namespaced: false }), [
      "metadata.name",
    ]);
    assert.deepEqual(selectableFields({ group: "", plural: "pods" }), [
      "metadata.name",
      "metadata.namespace",
      "spec.nodeName",
      "spec.restartPolicy",
      "spec.schedulerName",
      "spec.serviceAccountName",
      "spec.hostNetwork",
      "status.phase",
      "status.podIP",
      "status.nominatedNodeName",
    ]);
  });

  test("a pod's fields", () => {
    const pod = {
      metadata: { name: "web-1", namespace: "shop" },
      spec: {
        nodeName: "n1",
        restartPolicy: "Always",
        schedulerName: "default-scheduler",
        serviceAccountName: "web",
      },
      status: { phase: "Running", podIP: "10.0.0.9", podIPs: [{ ip: "10.0.0.9" }, { ip: "fd00::9" }] },
    };
    assert.deepEqual(fieldsOf({ group: "", plural: "pods" }, pod), {
      "metadata.name": "web-1",
      "metadata.namespace": "shop",
      "spec.nodeName": "n1",
      "spec.restartPolicy": "Always",
      "spec.schedulerName": "default-scheduler",
      "spec.serviceAccountName": "web",
      "spec.hostNetwork": "false",
      "status.phase": "Running",
      "status.podIP": "10.0.0.9",
      "status.nominatedNodeName": "",
    });
    const selector = compileFieldSelector("spec.hostNetwork=false,status.podIP=10.0.0.9", (f) =>
      selectableFields({ group: "", plural: "pods" }).includes(f),
    );
    assert.equal(selector.matches(fieldsOf({ group: "", plural: "pods" }, pod)), true);
  });

  test("an event's fields", () => {
    const event = {
      metadata: { name: "web.17a", namespace: "shop" },
      involvedObject: {
        kind: "Pod",
        name: "web",
        namespace: "shop",
        uid: "u1",
        apiVersion: "v1",
        fieldPath: "spec.containers{app}",
      },
      reason: "BackOff",
      source: { component: "kubelet", host: "n1" },
      reportingComponent: "kubelet",
      type: "Warning",
    };
    const fields = fieldsOf({ group: "", plural: "events" }, event);
    assert.equal(fields["involvedObject.kind"], "Pod");
    assert.equal(fields["involvedObject.fieldPath"], "spec.containers{app}");
    assert.equal(fields["involvedObject.resourceVersion"], "");
    assert.equal(fields.source, "kubelet");
    assert.equal(fields.reportingComponent, "kubelet");
    assert.equal(fields.reason, "BackOff");
    assert.equal(fields.type, "Warning");
    assert.equal(fields["metadata.namespace"], "shop");
  });

  test("other kinds' fields", () => {
    assert.deepEqual(
      fieldsOf({ group: "", plural: "nodes" }, { metadata: { name: "n1" }, spec: { unschedulable: true } }),
      {
        "metadata.name": "n1",
        "spec.unschedulable": "true",
      },
    );
    assert.deepEqual(
      fieldsOf({ group: "", plural: "namespaces" }, { metadata: { name: "a" }, status: { phase: "Active" } }),
      {
        "metadata.name": "a",
        "status.phase": "Active",
      },
    );
    assert.equal(
      fieldsOf({ group: "", plural: "secrets" }, { metadata: { name: "s" }, type: "Opaque" }).type,
      "Opaque",
    );
    assert.equal(
      fieldsOf({ group: "apps", plural: "replicasets" }, { status: { replicas: 3 } })["status.replicas"],
      "3",
    );
    assert.equal(fieldsOf({ group: "batch", plural: "jobs" }, { status: {} })["status.successful"], "0");
    assert.deepEqual(
      fieldsOf({ group: "", plural: "configmaps" }, { metadata: { name: "c", namespace: "d" } }),
      {
        "metadata.name": "c",
        "metadata.namespace": "d",
      },
    );
  });
});

test("escapeFieldValue round-trips through parseFieldSelector", () => {
  const value = "a,b=c\\d";
  assert.equal(escapeFieldValue(value), "a\\,b\\=c\\\\d");
  assert.equal(parseFieldSelector(`metadata.name=${escapeFieldValue(value)}`).requirements[0].value, value);
});
