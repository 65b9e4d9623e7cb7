/**
 * Hand-made shapes and helpers for the apply tests: a Deployment-like kind with the
 * merge behaviours that matter (containers keyed by name, ports keyed by
 * containerPort+protocol, a set, an atomic list, maps, an atomic struct and
 * an untyped field). Not the built-in tables, on purpose.
 */
import assert from "node:assert/strict";
import { StatusError } from "../api/errors.ts";
import type { Shape, ShapeResolver } from "../schema/shape.ts";
import { applyPatch } from "./apply.ts";
import { isObject, type JsonObject } from "./json-value.ts";

const string: Shape = { type: "scalar", scalar: "string" };
const integer: Shape = { type: "scalar", scalar: "integer" };
const stringMap: Shape = { type: "map", values: string };
/** A key field with a default, as the OpenAPI schema gives `protocol`. */
const protocol = { type: "scalar", scalar: "string", default: "TCP" } as const;

const shapes: Record<string, Shape> = {
  Deployment: {
    type: "struct",
    fields: {
      apiVersion: string,
      kind: string,
      metadata: { type: "ref", name: "ObjectMeta" },
      spec: { type: "ref", name: "DeploymentSpec" },
      status: { type: "struct", fields: { replicas: integer } },
    },
  },
  ObjectMeta: {
    type: "struct",
    fields: {
      name: string,
      namespace: string,
      uid: string,
      resourceVersion: string,
      generation: integer,
      creationTimestamp: { type: "scalar", scalar: "date-time" },
      labels: stringMap,
      annotations: stringMap,
      finalizers: { type: "list", listType: "set", items: string },
      managedFields: { type: "list", listType: "atomic", items: { type: "any" } },
    },
  },
  DeploymentSpec: {
    type: "struct",
    fields: {
      replicas: integer,
      paused: { type: "scalar", scalar: "boolean" },
      selector: { type: "struct", atomic: true, fields: { matchLabels: stringMap } },
      strategy: {
        type: "struct",
        fields: {
          type: string,
          rollingUpdate: {
            type: "struct",
            fields: {
              maxSurge: { type: "scalar", scalar: "int-or-string" },
              maxUnavailable: { type: "scalar", scalar: "int-or-string" },
            },
          },
        },
      },
      template: {
        type: "struct",
        fields: { metadata: { type: "ref", name: "ObjectMeta" }, spec: { type: "ref", name: "PodSpec" } },
      },
      extra: { type: "any" },
    },
  },
  PodSpec: {
    type: "struct",
    fields: {
      containers: {
        type: "list",
        listType: "map",
        keys: ["name"],
        items: { type: "ref", name: "Container" },
      },
      nodeSelector: stringMap,
      tolerations: { type: "list", listType: "atomic", items: { type: "any" } },
    },
  },
  Container: {
    type: "struct",
    fields: {
      name: string,
      image: string,
      args: { type: "list", listType: "atomic", items: string },
      ports: {
        type: "list",
        listType: "map",
        keys: ["containerPort", "protocol"],
        items: { type: "struct", fields: { containerPort: integer, protocol, name: string } },
      },
      env: {
        type: "list",
        listType: "map",
        keys: ["name"],
        items: { type: "struct", fields: { name: string, value: string } },
      },
      resources: {
        type: "struct",
        fields: {
          limits: { type: "map", values: { type: "scalar", scalar: "quantity" } },
          requests: { type: "map", values: { type: "scalar", scalar: "quantity" } },
        },
      },
    },
  },
};

/** Resolves the fixture shapes by name. */
export const resolver: ShapeResolver = {
  resolve(name) {
    const shape = shapes[name];
    if (!shape) throw new Error(`unknown shape ${name}`);
    return shape;
  },
};

/** The fixture Deployment kind. */
export const deploymentShape: Shape = { type: "ref", name: "Deployment" };

/** A Deployment like the one in the Kubernetes docs. */
export function nginxDeployment(
  overrides: { replicas?: number; image?: string } = {},
): Record<string, unknown> {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "nginx", namespace: "default", labels: { app: "nginx" } },
    spec: {
      replicas: overrides.replicas ?? 3,
      selector: { matchLabels: { app: "nginx" } },
      template: {
        metadata: { labels: { app: "nginx" } },
        spec: {
          containers: [
            {
              name: "nginx",
              image: overrides.image ?? "nginx:1.14.2",
              ports: [{ containerPort: 80, protocol: "TCP" }],
            },
          ],
        },
      },
    },
  };
}

/** Request times: `t0` has milliseconds, to show truncation. */
export const t0 = new Date("2024-05-01T10:20:30.456Z");
export const t1 = new Date("2024-05-01T10:25:00.999Z");
export const t2 = new Date("2024-05-01T11:00:00Z");

/** `applyPatch` for an apps/v1 fixture Deployment, returning the object. */
export function apply(
  live: JsonObject | undefined,
  applied: JsonObject,
  manager: string,
  options: { force?: boolean; now?: Date; subresource?: string } = {},
): JsonObject {
  return applyPatch({
    live,
    applied,
    manager,
    force: options.force ?? false,
    shape: deploymentShape,
    resolver,
    now: options.now ?? t0,
    subresource: options.subresource,
    apiVersion: "apps/v1",
  }).object;
}

/** The StatusError an apply at `t1` fails with. */
export function applyError(live: JsonObject, applied: JsonObject, manager: string): StatusError {
  try {
    apply(live, applied, manager, { now: t1 });
  } catch (error) {
    assert.ok(error instanceof StatusError);
    return error;
  }
  assert.fail("expected the apply to fail");
}

/** `metadata.managedFields`, or `[]`. */
export function managedFields(object: JsonObject): unknown[] {
  const metadata = object.metadata;
  assert.ok(isObject(metadata));
  return Array.isArray(metadata.managedFields) ? metadata.managedFields : [];
}

/** The managedFields entry of `manager`; fails the test when missing. */
export function entry(object: JsonObject, manager: string): JsonObject {
  const found = managedFields(object).find((e) => isObject(e) && e.manager === manager);
  assert.ok(isObject(found), `no managedFields entry for ${manager}`);
  return found;
}

/** `.spec`, asserted to be an object. */
export function spec(object: JsonObject): JsonObject {
  assert.ok(isObject(object.spec));
  return object.spec;
}

/** The first container of the pod template. */
export function container(object: JsonObject): JsonObject {
  const template = spec(object).template;
  assert.ok(isObject(template) && isObject(template.spec) && Array.isArray(template.spec.containers));
  const [first] = template.spec.containers;
  assert.ok(isObject(first));
  return first;
}
