import { cloneJson } from "@atoll/kube";
import { parse as parseYaml } from "yaml";
import { badRequest, notFound, StatusError } from "../api/errors.ts";
import { isRecord, type KubeObject } from "../api/object.ts";
import { apiVersionOf, type ResourceType } from "../resources/resource-type.ts";
import type { Shape, ShapeResolver } from "../schema/shape.ts";
import { StorageError } from "../storage/store.ts";
import { pruneUnknownFields } from "./prune.ts";
import type { Registry, WriteOptions, WriteResult } from "./registry.ts";

export const PatchType = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
} as const;
export type PatchType = (typeof PatchType)[keyof typeof PatchType];

/** The patch formats' pure transforms (implemented in the patch package). */
export interface Patcher {
  json(object: KubeObject, operations: unknown): KubeObject;
  /** Must not modify `object` (the cached copy): returns a new object. */
  merge(object: KubeObject, patch: unknown): KubeObject;
  strategic(object: KubeObject, patch: unknown, shape: Shape, resolver: ShapeResolver): KubeObject;
}

export type PatchOptions = WriteOptions & { force?: boolean };

const MAX_ATTEMPTS = 8;

/**
 * PATCH in any of the four formats. Non-apply patches retry on a concurrent
 * write (the patch is re-applied to the newer object), as kube-apiserver does;
 * server-side apply creates the object when it does not exist.
 */
export async function patchObject(
  registry: Registry,
  patcher: Patcher,
  shapes: ShapeResolver,
  target: { type: ResourceType; namespace: string | undefined; name: string },
  patchType: PatchType,
  body: string,
  options: PatchOptions,
): Promise<WriteResult> {
  const { type, namespace, name } = target;
  const patch = decodePatch(patchType, body);
  if (patchType === PatchType.apply) return applyObject(registry, shapes, target, patch, options);
  if (options.force !== undefined) throw badRequest("force is only supported for apply patches");
  for (let attempt = 0; ; attempt++) {
    const current = registry.get(type, namespace, name);
    let patched: KubeObject;
    // A merge patch copies the object it patches (applyMergePatch), so the cached object is safe to pass.
    if (patchType === PatchType.merge) patched = patcher.merge(current.object, patch);
    else if (patchType === PatchType.json) patched = patcher.json(cloneJson(current.object), patch);
    else patched = patcher.strategic(cloneJson(current.object), patch, type.shape, shapes);
    if (!isRecord(patched) || !isRecord(patched.metadata))
      throw badRequest("the patch produced an object without metadata");
    const warnings = checkFields(type, patched, shapes, options);
    const patchedRv = patched.metadata.resourceVersion;
    if (patchedRv !== current.object.metadata.resourceVersion) {
      // A resourceVersion in the patch is a precondition, so never retried.
      return registry.update(type, namespace, name, patched, options);
    }
    try {
      const result = await registry.replace(type, current, patched, options);
      return { ...result, warnings };
    } catch (error) {
      if (isStorageConflict(error) && attempt < MAX_ATTEMPTS) continue;
      throw error;
    }
  }
}

async function applyObject(
  registry: Registry,
  shapes: ShapeResolver,
  target: { type: ResourceType; namespace: string | undefined; name: string },
  patch: unknown,
  options: PatchOptions,
): Promise<WriteResult> {
  const { type, namespace, name } = target;
  if (!options.fieldManager)
    throw badRequest(
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
  if (!isRecord(patch)) throw badRequest("the apply patch must be an object");
  const applied = patch as KubeObject;
  if (!applied.apiVersion || !applied.kind) {
    throw badRequest(
      `invalid object type: ${apiVersionOf(type)}, Kind=${String(applied.kind ?? "")}: apiVersion and kind must be set`,
    );
  }
  if (applied.apiVersion !== apiVersionOf(type) || applied.kind !== type.kind) {
    throw badRequest(
      `the API version in the data (${applied.apiVersion}) does not match the expected API version (${apiVersionOf(type)}) and kind (${type.kind})`,
    );
  }
  if (!isRecord(applied.metadata)) applied.metadata = {};
  if (applied.metadata.name !== undefined && applied.metadata.name !== name) {
    throw badRequest(
      `the name of the object (${String(applied.metadata.name)}) does not match the name on the URL (${name})`,
    );
  }
  applied.metadata.name = name;
  if (type.namespaced) {
    if (applied.metadata.namespace && applied.metadata.namespace !== namespace) {
      throw badRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    }
    applied.metadata.namespace = namespace;
  }
  const warnings = checkFields(type, applied, shapes, options);
  const manager = options.fieldManager;
  const force = options.force === true;
  for (let attempt = 0; ; attempt++) {
    const current = registry.find(type, namespace, name);
    try {
      if (!current) {
        const created = registry.fieldManager.apply({
          type,
          live: undefined,
          applied,
          manager,
          force,
          subresource: options.subresource,
          now: registry.clock.now(),
        });
        if (options.subresource) throw notFound({ group: type.group, resource: type.plural, name });
        const object = await registry.createApplied(type, namespace, created, options);
        return { object, warnings, changed: true };
      }
      const result = await registry.replace(type, current, current.object, options, {
        manager,
        force,
        patch: applied,
      });
      return { ...result, warnings };
    } catch (error) {
      if ((isStorageConflict(error) || isAlreadyExists(error)) && attempt < MAX_ATTEMPTS) continue;
      throw error;
    }
  }
}

function checkFields(
  type: ResourceType,
  object: KubeObject,
  shapes: ShapeResolver,
  options: WriteOptions,
): string[] {
  const unknown = pruneUnknownFields(object, type.shape, shapes);
  if (unknown.length === 0 || options.fieldValidation === "Ignore") return [];
  const messages = unknown.map((path) => `unknown field "${path}"`);
  if (options.fieldValidation === "Strict") throw badRequest(`strict decoding error: ${messages.join(", ")}`);
  return messages;
}

function decodePatch(patchType: PatchType, body: string): unknown {
  try {
    if (patchType !== PatchType.apply) return JSON.parse(body);
    // Clients (ours, client-go) send apply configurations as JSON, which is YAML too: parse it as JSON
    // first, an order of magnitude cheaper than the YAML parser, which takes whatever JSON refuses.
    if (body.trimStart().startsWith("{")) {
      try {
        return JSON.parse(body);
      } catch {
        // Not JSON after all (YAML flow mapping): the YAML parser decides.
      }
    }
    return parseYaml(body);
  } catch (error) {
    const what = patchType === PatchType.apply ? "YAML" : "JSON";
    throw badRequest(
      `error decoding patch: ${what}: ${error instanceof Error ? error.message : String(error)}`,
      error,
    );
  }
}

function isStorageConflict(error: unknown): boolean {
  return error instanceof StorageError && (error.code === "Conflict" || error.code === "KeyNotFound");
}

function isAlreadyExists(error: unknown): boolean {
  return error instanceof StatusError && error.reason === "AlreadyExists";
}
