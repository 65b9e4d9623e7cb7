import type { ResourceIdentifier, Work } from "@atoll/api";
import { type KubeObject, type ResourceId, StatusError } from "@atoll/kube";
import { describe } from "./apply-manifest.ts";
import { messageOf } from "./failures.ts";
import { appliedBy, resourceOfIdentifier } from "./manifest.ts";
import type { MemberCache } from "./member-caches.ts";

/**
 * Deletes from the member each named object this Work applied; objects that
 * are gone already, or that belong to someone else (a conflict left alone, a
 * Work that took the object over), are skipped. Deletion is in the
 * background: dependents (a Deployment's ReplicaSets and pods) go with the
 * member's garbage collector. Throws when a deletion fails, after trying all.
 */
export async function removeObjects(
  cache: MemberCache,
  work: Work,
  identifiers: ResourceIdentifier[],
): Promise<number> {
  let removed = 0;
  const failures: string[] = [];
  for (const identifier of identifiers) {
    const resource = resourceOfIdentifier(identifier);
    const { namespace, name } = identifier;
    const target = { resource, namespace, name };
    try {
      const informer = cache.informer(resource);
      const cached = informer.hasSynced ? informer.get(namespace ? `${namespace}/${name}` : name) : undefined;
      if (await deleteIfApplied(cache, work, target, cached)) removed++;
    } catch (error) {
      failures.push(`${describe(target)}: ${messageOf(error)}`);
    }
  }
  if (failures.length) {
    const workKey = `${work.metadata.namespace}/${work.metadata.name}`;
    throw new Error(
      `removing objects of Work ${workKey} from member ${cache.member} failed: ${failures.join("; ")}`,
    );
  }
  return removed;
}

type Target = { resource: ResourceId; namespace: string | undefined; name: string };

/**
 * Deletes the object if this Work applied it, guarded by its uid so a newer
 * object of the same name is never deleted on a stale read; a cached copy
 * that turns out stale is read again once.
 */
async function deleteIfApplied(
  cache: MemberCache,
  work: Work,
  target: Target,
  cached: KubeObject | undefined,
): Promise<boolean> {
  const { resource, namespace, name } = target;
  for (let attempt = 0; attempt < 2; attempt++) {
    const live = attempt === 0 && cached ? cached : await cache.client.get(resource, namespace, name);
    if (!live || !appliedBy(live, work) || live.metadata.deletionTimestamp) return false;
    try {
      await cache.client.delete(resource, namespace, name, {
        propagationPolicy: "Background",
        preconditions: { uid: live.metadata.uid },
      });
      return true;
    } catch (error) {
      if (error instanceof StatusError && error.reason === "NotFound") return false;
      if (!(error instanceof StatusError && error.reason === "Conflict")) throw error;
    }
  }
  return false;
}
