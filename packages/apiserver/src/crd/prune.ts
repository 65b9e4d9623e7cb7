import { cloneJson } from "@atoll/kube";
import type { JSONSchemaProps } from "./definition.ts";
import { child, index } from "./field-errors.ts";
import { OBJECT_META_SCHEMA } from "./object-meta.ts";

type Walk = { dropped: string[] };

export type PruneOptions = {
  /** The value is a resource root (implicit apiVersion, kind, metadata). Default true. */
  root?: boolean;
};

/**
 * Returns a copy of a custom resource with every field its structural schema
 * does not declare removed, as kube-apiserver prunes before storing:
 * - below `x-kubernetes-preserve-unknown-fields` unknown fields stay (known ones are still pruned);
 * - at the root and in `x-kubernetes-embedded-resource` objects, `apiVersion`
 *   and `kind` stay and `metadata` is pruned to ObjectMeta's fields.
 * The input is not modified.
 */
export function pruneUnknown(obj: unknown, schema: JSONSchemaProps, options: PruneOptions = {}): unknown {
  return start(obj, schema, options, { dropped: [] });
}

/**
 * The paths of the fields `pruneUnknown` would drop, e.g. `spec.foo`,
 * `spec.items[0].bar`, `metadata.foo`: what `fieldValidation=Strict` rejects
 * and `Warn` reports, each as `unknown field "<path>"`.
 */
export function unknownFields(obj: unknown, schema: JSONSchemaProps, options: PruneOptions = {}): string[] {
  const walk: Walk = { dropped: [] };
  start(obj, schema, options, walk);
  return walk.dropped;
}

/**
 * kube-apiserver's wording for one unknown field: a warning with
 * `fieldValidation=Warn`, and with `Strict` part of the 400
 * `strict decoding error: unknown field "spec.foo", unknown field "spec.bar"`.
 */
export function unknownFieldMessage(path: string): string {
  return `unknown field ${JSON.stringify(path)}`;
}

function start(obj: unknown, schema: JSONSchemaProps, options: PruneOptions, walk: Walk): unknown {
  return options.root === false ? pruneNode(obj, schema, "", walk) : pruneResource(obj, schema, "", walk);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function itemsOf(schema: JSONSchemaProps): JSONSchemaProps | undefined {
  return Array.isArray(schema.items) ? undefined : schema.items;
}

/** A resource root or embedded resource: type meta survives, metadata becomes ObjectMeta. */
function pruneResource(value: unknown, schema: JSONSchemaProps, path: string, walk: Walk): unknown {
  if (!isObject(value)) return prune(value, schema, path, walk);
  const out: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if ((k === "apiVersion" || k === "kind") && typeof v === "string") out[k] = v;
    else if (k === "metadata" && isObject(v)) out[k] = prune(v, OBJECT_META_SCHEMA, child(path, k), walk);
    else rest[k] = v;
  }
  const pruned = prune(rest, schema, path, walk);
  return isObject(pruned) ? { ...out, ...pruned } : out;
}

function pruneNode(value: unknown, schema: JSONSchemaProps | undefined, path: string, walk: Walk): unknown {
  return schema?.["x-kubernetes-embedded-resource"]
    ? pruneResource(value, schema, path, walk)
    : prune(value, schema, path, walk);
}

function prune(value: unknown, schema: JSONSchemaProps | undefined, path: string, walk: Walk): unknown {
  if (Array.isArray(value)) {
    const items = schema ? itemsOf(schema) : undefined;
    if (!schema || (!items && schema["x-kubernetes-preserve-unknown-fields"])) return cloneJson(value);
    return value.map((item, i) => pruneNode(item, items, index(path, i), walk));
  }
  if (!isObject(value)) return value;
  if (!schema) {
    for (const k of Object.keys(value)) walk.dropped.push(child(path, k));
    return {};
  }
  const preserve = schema["x-kubernetes-preserve-unknown-fields"] === true;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const fieldPath = child(path, k);
    const property = schema.properties?.[k];
    const additional = schema.additionalProperties;
    if (property) {
      out[k] = pruneNode(v, property, fieldPath, walk);
    } else if (additional === true) {
      out[k] = cloneJson(v);
    } else if (additional && typeof additional === "object") {
      out[k] = pruneNode(v, additional, fieldPath, walk);
    } else if (preserve) {
      out[k] = cloneJson(v);
    } else {
      walk.dropped.push(fieldPath);
    }
  }
  return out;
}
