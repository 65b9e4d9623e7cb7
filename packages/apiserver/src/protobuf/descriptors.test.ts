import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { definitions } from "../schema/builtin/definitions.generated.ts";
import { kinds, messages } from "./descriptors.generated.ts";
import { type DescriptorTable, isMessageType } from "./descriptors.ts";
import { findKubectl, tablesFromKubectl } from "./generate/from-kubectl.ts";

/** The JSON properties a message decodes to, inline fields expanded. */
function jsonProperties(table: DescriptorTable, name: string): string[] {
  return Object.values(table[name]).flatMap((field) =>
    field.inline ? jsonProperties(table, field.type) : [field.json],
  );
}

/** `k8s.io.api.core.v1.Pod` → `io.k8s.api.core.v1.Pod`, the OpenAPI definition name. */
function definitionName(message: string): string {
  return message.replace(/^k8s\.io\./, "io.k8s.");
}

describe("the descriptor table", () => {
  it("resolves every kind and every message a field refers to", () => {
    for (const [kind, message] of Object.entries(kinds)) assert.ok(messages[message], `${kind} → ${message}`);
    for (const [name, fields] of Object.entries(messages)) {
      for (const [number, field] of Object.entries(fields)) {
        if (isMessageType(field.type)) assert.ok(messages[field.type], `${name}.${number} → ${field.type}`);
        assert.ok(!(field.repeated && field.map), `${name}.${number} is both repeated and a map`);
        if (field.inline) assert.ok(isMessageType(field.type), `${name}.${number} inlines a non-message`);
      }
    }
  });

  it("covers the kinds kubectl's typed clients send", () => {
    for (const kind of [
      "v1/Namespace",
      "v1/ConfigMap",
      "v1/Secret",
      "v1/Service",
      "v1/ServiceAccount",
      "v1/Pod",
      "v1/ResourceQuota",
      "apps/v1/Deployment",
      "batch/v1/Job",
      "batch/v1/CronJob",
      "rbac.authorization.k8s.io/v1/Role",
      "rbac.authorization.k8s.io/v1/ClusterRoleBinding",
      "policy/v1/PodDisruptionBudget",
      "scheduling.k8s.io/v1/PriorityClass",
      "networking.k8s.io/v1/Ingress",
      "authentication.k8s.io/v1/TokenRequest",
      "authorization.k8s.io/v1/SelfSubjectAccessReview",
      "meta.k8s.io/v1/DeleteOptions",
    ]) {
      assert.ok(kinds[kind], kind);
    }
  });

  it("decodes to exactly the properties of the OpenAPI shapes of the same types", () => {
    let compared = 0;
    for (const name of Object.keys(messages)) {
      const shape = definitions[definitionName(name)];
      if (shape?.type !== "struct") continue;
      compared++;
      const properties = jsonProperties(messages, name);
      const extra = properties.filter((property) => !(property in shape.fields));
      assert.deepEqual(extra, [], `${name} decodes to properties its OpenAPI shape lacks`);
      // apiVersion and kind come from the envelope, not the message.
      const typeMeta = ["apiVersion", "kind"];
      const missing = Object.keys(shape.fields).filter(
        (f) => !properties.includes(f) && !typeMeta.includes(f),
      );
      assert.deepEqual(missing, [], `${name} has no field for these properties of its OpenAPI shape`);
    }
    assert.ok(compared > 200, `compared ${compared} messages`);
  });

  const kubectl = findKubectl(process.env.PATH ?? "");
  it("matches what kubectl 1.32 has compiled in", {
    skip: kubectl ? false : "no kubectl 1.32 on PATH",
  }, () => {
    const { tables, untagged } = tablesFromKubectl(kubectl ?? "");
    assert.deepEqual(untagged, []);
    assert.deepEqual(tables.kinds, kinds);
    assert.deepEqual(tables.messages, messages);
  });
});
