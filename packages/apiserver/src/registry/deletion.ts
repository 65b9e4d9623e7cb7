import { cloneJson } from "@atoll/kube";
import { badRequest, conflict } from "../api/errors.ts";
import { type KubeObject, rfc3339 } from "../api/object.ts";
import type { ResourceType } from "../resources/resource-type.ts";
import { StorageError } from "../storage/store.ts";
import type { CachedObject } from "../watch/cacher.ts";
import { hasPendingFinalization, type Registry, tracksGeneration } from "./registry.ts";

export const FINALIZER_ORPHAN = "orphan";
export const FINALIZER_FOREGROUND = "foregroundDeletion";

export type PropagationPolicy = "Orphan" | "Background" | "Foreground";

export type DeleteOptions = {
  gracePeriodSeconds?: number;
  propagationPolicy?: PropagationPolicy;
  /** Deprecated form of propagationPolicy: true means Orphan. */
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
};

export type DeleteResult = {
  /** The object as deleted, or as marked for deletion. */
  object: KubeObject;
  /** True when the object is gone; false when it waits for finalizers or a grace period. */
  deleted: boolean;
};

const MAX_ATTEMPTS = 8;

/**
 * DELETE with Kubernetes' semantics: preconditions; propagation policy turned
 * into the orphan/foregroundDeletion finalizers; graceful deletion and
 * finalizers mark the object (deletionTimestamp) instead of removing it.
 */
export async function deleteObject(
  registry: Registry,
  type: ResourceType,
  namespace: string | undefined,
  name: string,
  options: DeleteOptions,
): Promise<DeleteResult> {
  const policy = propagationOf(options);
  for (let attempt = 0; ; attempt++) {
    const current = registry.get(type, namespace, name);
    checkPreconditions(type, current, options);
    try {
      return await deleteOnce(registry, type, current, policy, options);
    } catch (error) {
      if (error instanceof StorageError && error.code === "Conflict" && attempt < MAX_ATTEMPTS) continue;
      throw error;
    }
  }
}

async function deleteOnce(
  registry: Registry,
  type: ResourceType,
  current: CachedObject,
  policy: PropagationPolicy | undefined,
  options: DeleteOptions,
): Promise<DeleteResult> {
  const hooks = registry.hooksFor(type);
  const object = cloneJson(current.object);
  const meta = object.metadata;
  const finalizersChanged = applyPolicyFinalizers(object, policy);
  const grace = options.gracePeriodSeconds ?? hooks.strategy.defaultGracePeriodSeconds?.(object) ?? 0;
  if (grace < 0) throw badRequest("gracePeriodSeconds must be non-negative");
  const now = registry.clock.now();

  if (meta.deletionTimestamp) {
    // Already terminating: only finalizer changes and a shortened grace period take effect.
    const shorten = grace < (meta.deletionGracePeriodSeconds ?? 0);
    if (shorten) {
      meta.deletionGracePeriodSeconds = grace;
      meta.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
    }
    if (!finalizersChanged && !shorten) return { object: current.object, deleted: false };
    if ((meta.deletionGracePeriodSeconds ?? 0) === 0 && !hasPendingFinalization(hooks, object)) {
      // The grace period is over (a kubelet confirming termination): the object goes now.
      if (options.dryRun) return { object: current.object, deleted: true };
      await registry.store.delete(current.key, current.revision);
      return { object: current.object, deleted: true };
    }
    return write(registry, current, object, options);
  }

  if (hasPendingFinalization(hooks, object) || grace > 0) {
    meta.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
    meta.deletionGracePeriodSeconds = grace;
    if (tracksGeneration(type)) meta.generation = (meta.generation ?? 0) + 1;
    hooks.strategy.prepareForDeletion?.(object);
    return write(registry, current, object, options);
  }

  if (options.dryRun) return { object: current.object, deleted: true };
  await registry.store.delete(current.key, current.revision);
  return { object: current.object, deleted: true };
}

async function write(
  registry: Registry,
  current: CachedObject,
  object: KubeObject,
  options: DeleteOptions,
): Promise<DeleteResult> {
  if (options.dryRun) return { object, deleted: false };
  delete object.metadata.resourceVersion;
  const kv = await registry.store.update(current.key, JSON.stringify(object), current.revision);
  object.metadata.resourceVersion = String(kv.modRevision);
  return { object, deleted: false };
}

function propagationOf(options: DeleteOptions): PropagationPolicy | undefined {
  const policy = options.propagationPolicy;
  if (policy !== undefined && policy !== "Orphan" && policy !== "Background" && policy !== "Foreground") {
    throw badRequest(
      `propagationPolicy: Unsupported value: "${String(policy)}": supported values: "Foreground", "Background", "Orphan"`,
    );
  }
  if (policy && options.orphanDependents !== undefined) {
    throw badRequest("orphanDependents and propagationPolicy cannot be both set");
  }
  if (options.orphanDependents === true) return "Orphan";
  if (options.orphanDependents === false) return "Background";
  return policy;
}

/** Adds or removes the GC finalizers the policy asks for; true if anything changed. */
function applyPolicyFinalizers(object: KubeObject, policy: PropagationPolicy | undefined): boolean {
  if (!policy) return false;
  const before = object.metadata.finalizers ?? [];
  let after = before.filter((f) => f !== FINALIZER_ORPHAN && f !== FINALIZER_FOREGROUND);
  if (policy === "Orphan") after = [...after, FINALIZER_ORPHAN];
  if (policy === "Foreground") after = [...after, FINALIZER_FOREGROUND];
  if (after.length === before.length && after.every((f, i) => f === before[i])) return false;
  if (after.length === 0) delete object.metadata.finalizers;
  else object.metadata.finalizers = after;
  return true;
}

function checkPreconditions(type: ResourceType, current: CachedObject, options: DeleteOptions): void {
  const ref = { group: type.group, resource: type.plural, name: current.object.metadata.name ?? "" };
  const { uid, resourceVersion } = options.preconditions ?? {};
  if (uid && uid !== current.object.metadata.uid) {
    throw conflict(
      ref,
      `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.object.metadata.uid}`,
    );
  }
  if (resourceVersion && resourceVersion !== current.object.metadata.resourceVersion) {
    throw conflict(
      ref,
      `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${current.object.metadata.resourceVersion}`,
    );
  }
}
