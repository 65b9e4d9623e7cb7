import type { Work } from "@atoll/api";
import { type KubeObject, StatusError } from "@atoll/kube";
import { messageOf, transient } from "./failures.ts";
import { appliedBy, type PreparedManifest, sameDigest, workKeyOf } from "./manifest.ts";
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
 * The managed informer answers whether the object exists; an object it does
 * not hold is created (a POST never touches an existing object), and only
 * when that finds one already there (unlabelled, someone else's) does it cost
 * a GET — one request per new member object instead of a GET and an apply.
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
    if (!live) {
      const created = await create(cache, manifest, fieldManager);
      if (created) return created;
      live = await cache.client.get(resource, namespace, name);
    }
    if (live && !ours(live, work, manifest) && work.spec.conflictResolution !== "Overwrite") {
      return { manifest, failure: conflictFailure(cache, manifest, live) };
    }
    // A terminating object is recreated once its deletion event re-queues the Work.
    if (live?.metadata.deletionTimestamp) return { manifest, live };
    if (
      live &&
      ours(live, work, manifest) &&
      sameDigest(live, manifest) &&
      containsManifest(live, cache.expectation(key, manifest.object))
    ) {
      return { manifest, live };
    }
    const applied = await apply(cache, manifest, fieldManager, live);
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

/**
 * Creates the member object; undefined when one is there already (then it is
 * looked at like any live object). A missing namespace is created first.
 */
async function create(
  cache: MemberCache,
  manifest: PreparedManifest,
  fieldManager: string,
): Promise<ManifestOutcome | undefined> {
  const { resource, namespace, object } = manifest;
  if (namespace) await ensureNamespace(cache, namespace);
  const send = () => cache.client.create(resource, namespace, object, { fieldManager });
  try {
    const created = await send().catch(async (error: unknown) => {
      // Deleted behind our back since it was seen: create it again, then the object.
      if (!namespace || !isMissingNamespace(error)) throw error;
      cache.namespaces.delete(namespace);
      await ensureNamespace(cache, namespace);
      return send();
    });
    const key = cacheKey(manifest);
    cache.recordExpectation(
      key,
      object,
      containsManifest(created, object) ? undefined : projectOnto(created, object),
    );
    return { manifest, live: created };
  } catch (error) {
    if (error instanceof StatusError && error.reason === "AlreadyExists") return undefined;
    throw error;
  }
}

/**
 * A member object Atoll created carries its field manager as an Update entry,
 * and server-side apply counts only a manager's Apply entry as what that
 * manager applied: fields dropped from the manifest would stay. Before the
 * first apply the entry becomes an Apply entry (as `kubectl` upgrades
 * client-side-applied objects), guarded by the resourceVersion read.
 */
async function adoptCreatedFields(
  cache: MemberCache,
  manifest: PreparedManifest,
  live: KubeObject,
  fieldManager: string,
): Promise<void> {
  const entries = (live.metadata.managedFields ?? []) as {
    manager?: string;
    operation?: string;
    subresource?: string;
  }[];
  const mine = (operation: string) =>
    entries.findIndex((e) => e.manager === fieldManager && e.operation === operation && !e.subresource);
  const created = mine("Update");
  if (created < 0 || mine("Apply") >= 0) return;
  const { resource, namespace, name } = manifest;
  await cache.client.patch(resource, namespace, name, "json", [
    // The version read as a precondition: Conflict (retried) if the object changed since.
    { op: "replace", path: "/metadata/resourceVersion", value: live.metadata.resourceVersion },
    { op: "replace", path: `/metadata/managedFields/${created}/operation`, value: "Apply" },
  ]);
}

async function apply(
  cache: MemberCache,
  manifest: PreparedManifest,
  fieldManager: string,
  live: KubeObject | undefined,
): Promise<KubeObject> {
  const { resource, namespace, name, object } = manifest;
  if (namespace && !live) await ensureNamespace(cache, namespace);
  if (live) await adoptCreatedFields(cache, manifest, live, fieldManager);
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
