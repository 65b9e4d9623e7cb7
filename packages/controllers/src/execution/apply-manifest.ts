import type { Work } from "@atoll/api";
import type { KubeObject } from "@atoll/kube";
import { messageOf, transient } from "./failures.ts";
import { appliedBy, type PreparedManifest, workKeyOf } from "./manifest.ts";
import { containsManifest, projectOnto } from "./manifest-subset.ts";
import type { MemberCache } from "./member-caches.ts";
import { createdForContents, ensureNamespace, isMissingNamespace } from "./member-namespaces.ts";

/** What became of one manifest in the member. */
export type ManifestOutcome = {
  manifest: PreparedManifest;
  /** The member object as last seen, when it is Atoll's (applied by this Work). */
  live?: KubeObject;
  /** Why it is not applied. */
  failure?: { conflict: boolean; message: string; retry: boolean };
};

/**
 * Brings one member object in line with its manifest: nothing is written when
 * the live object already contains the manifest; an object Atoll did not
 * apply (or another Work applied) is left alone under conflictResolution
 * Abort and taken over under Overwrite; a missing namespace is created first.
 * The managed informer answers whether the object exists; only an object it
 * does not hold costs a GET (it may exist unlabelled).
 */
export async function applyManifest(
  cache: MemberCache,
  work: Work,
  manifest: PreparedManifest,
  fieldManager: string,
): Promise<ManifestOutcome> {
  const { resource, namespace, name } = manifest;
  const key = cacheKey(manifest);
  try {
    const informer = cache.informer(resource);
    let live = informer.hasSynced ? informer.get(namespace ? `${namespace}/${name}` : name) : undefined;
    if (!live) live = await cache.client.get(resource, namespace, name);
    if (live && !ours(live, work, manifest) && work.spec.conflictResolution !== "Overwrite") {
      return { manifest, failure: conflictFailure(cache, manifest, live) };
    }
    // A terminating object is recreated once its deletion event re-queues the Work.
    if (live?.metadata.deletionTimestamp) return { manifest, live };
    if (
      live &&
      ours(live, work, manifest) &&
      containsManifest(live, cache.expectation(key, manifest.object))
    ) {
      return { manifest, live };
    }
    const applied = await apply(cache, manifest, fieldManager, !live);
    cache.recordExpectation(
      key,
      manifest.object,
      containsManifest(applied, manifest.object) ? undefined : projectOnto(applied, manifest.object),
    );
    return { manifest, live: applied };
  } catch (error) {
    return {
      manifest,
      failure: {
        conflict: false,
        retry: transient(error),
        message: `applying ${describe(manifest)} in member ${cache.member} failed: ${messageOf(error)}`,
      },
    };
  }
}

/** Applied by this Work, or a namespace created for contents that a Work may adopt. */
function ours(live: KubeObject, work: Work, manifest: PreparedManifest): boolean {
  if (appliedBy(live, work)) return true;
  const namespace = manifest.resource.group === "" && manifest.resource.resource === "namespaces";
  return namespace && workKeyOf(live) === undefined && createdForContents(live);
}

/** A member-cache key for a manifest's object. */
export function cacheKey(manifest: Pick<PreparedManifest, "resource" | "namespace" | "name">): string {
  const { resource, namespace, name } = manifest;
  return `${resource.group}/${resource.resource}/${namespace ?? ""}/${name}`;
}

/** `deployments.apps default/web`: how messages name a member object. */
export function describe(manifest: Pick<PreparedManifest, "resource" | "namespace" | "name">): string {
  const { resource, namespace, name } = manifest;
  const qualified = resource.group ? `${resource.resource}.${resource.group}` : resource.resource;
  return `${qualified} ${namespace ? `${namespace}/` : ""}${name}`;
}

async function apply(
  cache: MemberCache,
  manifest: PreparedManifest,
  fieldManager: string,
  creating: boolean,
): Promise<KubeObject> {
  const { resource, namespace, name, object } = manifest;
  if (namespace && creating) await ensureNamespace(cache, namespace);
  const send = () =>
    cache.client.patch(resource, namespace, name, "apply", object, { fieldManager, force: true });
  try {
    return await send();
  } catch (error) {
    // Apply creates a missing object, so NotFound means its namespace is gone (deleted behind our back).
    if (!namespace || !isMissingNamespace(error)) throw error;
    cache.namespaces.delete(namespace);
    await ensureNamespace(cache, namespace);
    return send();
  }
}

function conflictFailure(
  cache: MemberCache,
  manifest: PreparedManifest,
  live: KubeObject,
): NonNullable<ManifestOutcome["failure"]> {
  const owner = workKeyOf(live);
  const whose = owner ? `it was applied by Work ${owner}` : "Atoll did not create it";
  return {
    conflict: true,
    retry: false,
    message:
      `${describe(manifest)} already exists in member ${cache.member} and ${whose}; ` +
      `left untouched (conflictResolution Abort; set Overwrite to take it over)`,
  };
}
