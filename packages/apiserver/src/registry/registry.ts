import { cloneJson } from "@atoll/kube";
import type { Clock, Random } from "../api/clock.ts";
import {
  alreadyExists,
  badRequest,
  conflict,
  invalid,
  notFound,
  type StatusCause,
  StatusError,
} from "../api/errors.ts";
import { generateName, validateName } from "../api/names.ts";
import { isRecord, jsonEqual, type KubeObject, rfc3339 } from "../api/object.ts";
import { apiVersionOf, type ResourceType } from "../resources/resource-type.ts";
import { StorageError, type Store } from "../storage/store.ts";
import type { CachedObject, Cacher } from "../watch/cacher.ts";
import type { FieldManager, TypeHooks, TypeHooksProvider } from "./hooks.ts";
import { objectKey } from "./keys.ts";
import { pruneUnknownFields } from "./prune.ts";

export type FieldValidation = "Strict" | "Warn" | "Ignore";

export type WriteOptions = {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: FieldValidation;
  subresource?: string;
};

export type WriteResult = {
  object: KubeObject;
  warnings: string[];
  /** False when an update changed nothing and no write happened. */
  changed: boolean;
};

export type RegistryOptions = {
  store: Store;
  cacher: Cacher;
  hooks: TypeHooksProvider;
  fieldManager: FieldManager;
  clock: Clock;
  random: Random;
};

/** Metadata the server owns: never taken from a client on update. */
const SERVER_OWNED_ON_UPDATE = [
  "uid",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
] as const;

/**
 * The generic create/read/update flow for every resource, built-in or custom,
 * as kube-apiserver's generic registry does it: validation, server-set
 * metadata, optimistic concurrency, status subresource separation, dry run.
 */
export class Registry {
  readonly store: Store;
  readonly cacher: Cacher;
  readonly clock: Clock;
  readonly random: Random;
  readonly fieldManager: FieldManager;
  #hooks: TypeHooksProvider;

  constructor(options: RegistryOptions) {
    this.store = options.store;
    this.cacher = options.cacher;
    this.clock = options.clock;
    this.random = options.random;
    this.fieldManager = options.fieldManager;
    this.#hooks = options.hooks;
  }

  hooksFor(type: ResourceType): TypeHooks {
    return this.#hooks.hooksFor(type);
  }

  /** The current object, or a NotFound StatusError. */
  get(type: ResourceType, namespace: string | undefined, name: string): CachedObject {
    const cached = this.cacher.get(objectKey(type, namespace, name));
    if (!cached) throw notFound({ group: type.group, resource: type.plural, name });
    return cached;
  }

  find(type: ResourceType, namespace: string | undefined, name: string): CachedObject | undefined {
    return this.cacher.get(objectKey(type, namespace, name));
  }

  async create(
    type: ResourceType,
    namespace: string | undefined,
    body: unknown,
    options: WriteOptions = {},
  ): Promise<WriteResult> {
    const object = this.#decode(type, body, namespace);
    const warnings = this.#pruneAndCheck(type, object, options);
    const now = this.clock.now();
    const meta = object.metadata;
    const generated = !meta.name && meta.generateName ? meta.generateName : undefined;
    if (generated) meta.name = generateName(generated, () => this.random.next());
    const ref = { group: type.group, resource: type.plural, name: meta.name ?? "", kind: type.kind };
    if (!meta.name) {
      throw invalid(ref, [
        {
          reason: "FieldValueRequired",
          field: "metadata.name",
          message: "Required value: name or generateName is required",
        },
      ]);
    }
    const hooks = this.hooksFor(type);
    for (const field of ["resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"]) {
      delete meta[field];
    }
    meta.uid = this.random.uuid();
    meta.creationTimestamp = rfc3339(now);
    if (tracksGeneration(type)) meta.generation = 1;
    else delete meta.generation;
    if (type.subresources.status && hooks.strategy.resetStatusOnCreate !== false) delete object.status;
    hooks.applyDefaults?.(object);
    hooks.strategy.prepareForCreate?.(object, now);
    this.#validate(type, hooks, object, undefined);
    await this.#admitNamespace(type, namespace, meta.name);
    const stored = this.fieldManager.update({
      type,
      previous: undefined,
      next: object,
      manager: managerName(options),
      now,
    });
    // A generated name that is taken is generated again, as Kubernetes (1.31+) does.
    for (let attempt = 1; ; attempt++) {
      try {
        return { object: await this.#commitCreate(type, stored, options), warnings, changed: true };
      } catch (error) {
        const clash = error instanceof StatusError && error.reason === "AlreadyExists";
        if (!generated || !clash || attempt >= 8) throw error;
        stored.metadata.name = generateName(generated, () => this.random.next());
      }
    }
  }

  /** Writes an object built by server-side apply for an object that does not exist yet. */
  async createApplied(
    type: ResourceType,
    namespace: string | undefined,
    object: KubeObject,
    options: WriteOptions,
  ) {
    const now = this.clock.now();
    const meta = object.metadata;
    meta.uid = this.random.uuid();
    meta.creationTimestamp = rfc3339(now);
    if (tracksGeneration(type)) meta.generation = 1;
    const hooks = this.hooksFor(type);
    if (type.subresources.status && hooks.strategy.resetStatusOnCreate !== false && !options.subresource) {
      delete object.status;
    }
    hooks.applyDefaults?.(object);
    hooks.strategy.prepareForCreate?.(object, now);
    this.#validate(type, hooks, object, undefined);
    await this.#admitNamespace(type, namespace, meta.name ?? "");
    return this.#commitCreate(type, object, options);
  }

  /**
   * PUT: replaces the object (or, with `subresource: "status"`, only its status),
   * failing with Conflict when the body's resourceVersion is stale.
   */
  async update(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    options: WriteOptions = {},
  ): Promise<WriteResult> {
    const object = this.#decode(type, body, namespace);
    if (object.metadata.name !== undefined && object.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${object.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    object.metadata.name = name;
    const warnings = this.#pruneAndCheck(type, object, options);
    const current = this.get(type, namespace, name);
    checkPreconditions(type, current, object);
    const result = await this.replace(type, current, object, options);
    return { ...result, warnings };
  }

  /**
   * Writes `next` over `current` (compare-and-swap on current's revision):
   * the common tail of PUT and PATCH. Throws a storage Conflict when another
   * write got there first, so patch can retry.
   */
  async replace(
    type: ResourceType,
    current: CachedObject,
    next: KubeObject,
    options: WriteOptions,
    applied?: { manager: string; force: boolean; patch: KubeObject },
  ): Promise<WriteResult> {
    const old = current.object;
    const hooks = this.hooksFor(type);
    if (options.subresource === "finalize") next = withSpecFinalizers(old, next);
    const merged = cloneJson(next);
    const meta: Record<string, unknown> = merged.metadata;
    for (const field of SERVER_OWNED_ON_UPDATE) {
      if (old.metadata[field] === undefined) delete meta[field];
      else meta[field] = old.metadata[field];
    }
    meta.namespace = old.metadata.namespace;
    meta.name = old.metadata.name;
    if (options.subresource === "status") keepOnlyStatus(merged, old);
    else if (type.subresources.status && options.subresource !== "binding") copyStatus(merged, old);
    if (!options.subresource) {
      hooks.applyDefaults?.(merged);
      hooks.strategy.prepareForUpdate?.(merged, old);
    }
    if (tracksGeneration(type)) {
      merged.metadata.generation = (old.metadata.generation ?? 0) + (specChanged(merged, old) ? 1 : 0);
    }
    delete meta.resourceVersion;
    const now = this.clock.now();
    let result = applied
      ? this.fieldManager.apply({
          type,
          live: old,
          applied: applied.patch,
          manager: applied.manager,
          force: applied.force,
          subresource: options.subresource,
          now,
        })
      : merged;
    if (applied) {
      // Apply produced the object from live + applied config; keep the server-owned parts computed above.
      result = {
        ...result,
        metadata: { ...result.metadata, ...pick(meta, [...SERVER_OWNED_ON_UPDATE, "generation"]) },
      };
      if (options.subresource === "status") keepOnlyStatus(result, old);
      else if (type.subresources.status) copyStatus(result, old);
      if (tracksGeneration(type)) {
        result.metadata.generation = (old.metadata.generation ?? 0) + (specChanged(result, old) ? 1 : 0);
      }
    } else {
      result = this.fieldManager.update({
        type,
        previous: old,
        next: merged,
        manager: managerName(options),
        subresource: options.subresource,
        now,
      });
    }
    delete result.metadata.resourceVersion;
    this.#validate(type, hooks, result, old);
    if (sameIgnoringTimes(result, old)) return { object: old, warnings: [], changed: false };
    if (options.dryRun) {
      result.metadata.resourceVersion = old.metadata.resourceVersion;
      return { object: result, warnings: [], changed: true };
    }
    const key = current.key;
    if (
      result.metadata.deletionTimestamp &&
      !hasPendingFinalization(hooks, result) &&
      !graceRemaining(result)
    ) {
      await this.store.delete(key, current.revision);
      return { object: result, warnings: [], changed: true };
    }
    const kv = await this.store.update(key, JSON.stringify(result), current.revision);
    return { object: this.#stored(key, kv.modRevision, result), warnings: [], changed: true };
  }

  #decode(type: ResourceType, body: unknown, namespace: string | undefined): KubeObject {
    if (!isRecord(body)) throw badRequest("the body of the request was not a JSON object");
    const object = cloneJson(body) as KubeObject;
    if (object.metadata === undefined || object.metadata === null) object.metadata = {};
    if (!isRecord(object.metadata)) throw badRequest("metadata: expected an object");
    const expected = apiVersionOf(type);
    if (object.apiVersion !== undefined && object.apiVersion !== expected) {
      throw badRequest(
        `the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${expected})`,
      );
    }
    if (object.kind !== undefined && object.kind !== type.kind) {
      throw badRequest(
        `the kind in the data (${String(object.kind)}) does not match the expected kind (${type.kind})`,
      );
    }
    const { apiVersion: _a, kind: _k, metadata, ...rest } = object;
    // Kubernetes writes apiVersion, kind and metadata first.
    const ordered: KubeObject = { apiVersion: expected, kind: type.kind, metadata, ...rest };
    const meta = ordered.metadata;
    if (type.namespaced) {
      if (meta.namespace !== undefined && meta.namespace !== "" && meta.namespace !== namespace) {
        throw badRequest(
          "the namespace of the provided object does not match the namespace sent on the request",
        );
      }
      meta.namespace = namespace;
    } else {
      delete meta.namespace;
    }
    return ordered;
  }

  #pruneAndCheck(type: ResourceType, object: KubeObject, options: WriteOptions): string[] {
    const unknown = pruneUnknownFields(object, type.shape, this.#hooks.shapes);
    if (unknown.length === 0 || options.fieldValidation === "Ignore") return [];
    const messages = unknown.map((path) => `unknown field "${path}"`);
    if (options.fieldValidation === "Strict") {
      throw badRequest(`strict decoding error: ${messages.join(", ")}`);
    }
    return messages;
  }

  #validate(type: ResourceType, hooks: TypeHooks, object: KubeObject, old: KubeObject | undefined): void {
    const causes: StatusCause[] = [];
    const meta = object.metadata;
    if (!old && meta.name) causes.push(...validateName(meta.name, hooks.strategy.nameRule ?? "subdomain"));
    causes.push(...validateMetadata(object));
    causes.push(...(hooks.strategy.validate?.(object, old) ?? []));
    causes.push(...(hooks.validateSchema?.(object, old) ?? []));
    if (causes.length > 0) {
      throw invalid(
        { group: type.group, resource: type.plural, name: meta.name ?? "", kind: type.kind },
        causes,
      );
    }
  }

  async #admitNamespace(type: ResourceType, namespace: string | undefined, name: string): Promise<void> {
    if (!type.namespaced || !namespace) return;
    const ns = this.cacher.get(`/registry/core/namespaces/${namespace}`);
    if (!ns) throw notFound({ group: "", resource: "namespaces", name: namespace });
    if (ns.object.metadata.deletionTimestamp) {
      throw new StatusError(
        "Forbidden",
        `${type.plural} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
        {
          details: {
            causes: [
              {
                reason: "NamespaceTerminating",
                message: `namespace ${namespace} is being terminated`,
                field: "metadata.namespace",
              },
            ],
          },
        },
      );
    }
  }

  async #commitCreate(type: ResourceType, object: KubeObject, options: WriteOptions): Promise<KubeObject> {
    const meta = object.metadata;
    const key = objectKey(type, meta.namespace, meta.name ?? "");
    if (options.dryRun) {
      if (this.cacher.get(key))
        throw alreadyExists({ group: type.group, resource: type.plural, name: meta.name ?? "" });
      return object;
    }
    try {
      const kv = await this.store.create(key, JSON.stringify(object));
      return this.#stored(key, kv.modRevision, object);
    } catch (error) {
      if (error instanceof StorageError && error.code === "KeyExists") {
        throw alreadyExists({ group: type.group, resource: type.plural, name: meta.name ?? "" });
      }
      throw error;
    }
  }

  /** The committed object: the cache's copy when it already has this revision. */
  #stored(key: string, revision: number, object: KubeObject): KubeObject {
    const cached = this.cacher.get(key);
    if (cached && cached.revision === revision) return cached.object;
    object.metadata.resourceVersion = String(revision);
    return object;
  }
}

/** Kinds with a status subresource, and every custom resource, carry metadata.generation. */
export function tracksGeneration(type: ResourceType): boolean {
  return type.subresources.status === true || type.definedBy !== undefined;
}

export function hasPendingFinalization(hooks: TypeHooks, object: KubeObject): boolean {
  return (
    (object.metadata.finalizers?.length ?? 0) > 0 || hooks.strategy.pendingFinalization?.(object) === true
  );
}

function graceRemaining(object: KubeObject): boolean {
  return (object.metadata.deletionGracePeriodSeconds ?? 0) > 0;
}

export function managerName(options: WriteOptions): string {
  return options.fieldManager || "unknown";
}

function checkPreconditions(type: ResourceType, current: CachedObject, object: KubeObject): void {
  const ref = { group: type.group, resource: type.plural, name: current.object.metadata.name ?? "" };
  const rv = object.metadata.resourceVersion;
  if (rv !== undefined && rv !== "" && rv !== current.object.metadata.resourceVersion) {
    throw conflict(
      ref,
      "the object has been modified; please apply your changes to the latest version and try again",
    );
  }
  const uid = object.metadata.uid;
  if (uid !== undefined && uid !== "" && uid !== current.object.metadata.uid) {
    throw conflict(
      ref,
      `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.object.metadata.uid}`,
    );
  }
}

function keepOnlyStatus(object: KubeObject, old: KubeObject): void {
  const status = object.status;
  for (const key of Object.keys(object))
    if (key !== "metadata" && key !== "apiVersion" && key !== "kind") delete object[key];
  Object.assign(object, cloneJson(omit(old, ["metadata", "status"])));
  if (status !== undefined) object.status = status;
  // A status write cannot change labels, annotations, finalizers or owners.
  for (const field of ["labels", "annotations", "finalizers", "ownerReferences"]) {
    if (old.metadata[field] === undefined) delete object.metadata[field];
    else object.metadata[field] = cloneJson(old.metadata[field]);
  }
}

/** A namespace's finalize subresource changes spec.finalizers and nothing else. */
function withSpecFinalizers(old: KubeObject, next: KubeObject): KubeObject {
  const spec = isRecord(next.spec) ? next.spec : {};
  const finalizers = Array.isArray(spec.finalizers) ? spec.finalizers : [];
  return { ...cloneJson(old), spec: { ...(isRecord(old.spec) ? old.spec : {}), finalizers } };
}

function copyStatus(object: KubeObject, old: KubeObject): void {
  if (old.status === undefined) delete object.status;
  else object.status = cloneJson(old.status);
}

function specChanged(next: KubeObject, old: KubeObject): boolean {
  return !jsonEqual(omit(next, ["metadata", "status"]), omit(old, ["metadata", "status"]));
}

function sameIgnoringTimes(next: KubeObject, old: KubeObject): boolean {
  const strip = (o: KubeObject) => ({
    ...o,
    metadata: {
      ...o.metadata,
      resourceVersion: undefined,
      managedFields: stripTimes(o.metadata.managedFields),
    },
  });
  return jsonEqual(strip(next), strip(old));
}

function stripTimes(entries: unknown[] | undefined): unknown[] | undefined {
  return entries?.map((entry) => (isRecord(entry) ? { ...entry, time: undefined } : entry));
}

function validateMetadata(object: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const meta = object.metadata;
  for (const field of ["labels", "annotations"] as const) {
    const value = meta[field];
    if (value === undefined) continue;
    if (!isRecord(value) || Object.values(value).some((v) => typeof v !== "string")) {
      causes.push({
        reason: "FieldValueTypeInvalid",
        field: `metadata.${field}`,
        message: "Invalid value: must be a map of strings",
      });
    }
  }
  if (
    meta.finalizers !== undefined &&
    (!Array.isArray(meta.finalizers) || meta.finalizers.some((f) => typeof f !== "string"))
  ) {
    causes.push({
      reason: "FieldValueTypeInvalid",
      field: "metadata.finalizers",
      message: "Invalid value: must be a list of strings",
    });
  }
  return causes;
}

function omit(object: KubeObject, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) if (!keys.includes(key)) out[key] = value;
  return out;
}

function pick(meta: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (meta[key] !== undefined) out[key] = meta[key];
  return out;
}
