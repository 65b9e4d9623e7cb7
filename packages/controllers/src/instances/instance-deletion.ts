import { type Cluster, TerminationPolicies } from "@atoll/api";
import { R, type ResourceId } from "@atoll/kube";
import type { MemberAccess } from "./instance-sync.ts";
import { deleteObject, messageOf } from "./member-writes.ts";

/** What a deletion pass achieved: refused (DoNotTerminate, with why), or what is still in the way. */
export type Cleanup = { refused?: string; pending: string[] };

/**
 * Removes the instance's objects from every member per its
 * terminationPolicy: Halt deletes pods and services and keeps PVCs (and so
 * the data, for a Cluster of the same name later); Delete and WipeOut delete
 * the PVCs too. DoNotTerminate refuses: nothing is deleted and the finalizer
 * stays, since Kubernetes cannot refuse a delete without an admission
 * webhook. A member that is not reachable holds the deletion until it is
 * (or until it is unjoined: a member that no longer exists is skipped).
 */
export async function cleanUp(options: {
  cluster: Cluster;
  members: readonly string[];
  access(member: string): MemberAccess;
  memberExists(member: string): boolean;
}): Promise<Cleanup> {
  const { cluster } = options;
  const policy = cluster.spec.terminationPolicy;
  if (policy === TerminationPolicies.DoNotTerminate) {
    return {
      refused:
        "terminationPolicy is DoNotTerminate: the Cluster's replicas are kept; set it to Halt, Delete or WipeOut to let the deletion finish",
      pending: [],
    };
  }
  const kinds: ResourceId[] = [R.pods, R.services];
  if (policy !== TerminationPolicies.Halt) kinds.push(R.persistentvolumeclaims);
  const namespace = cluster.metadata.namespace ?? "default";
  const name = cluster.metadata.name ?? "";
  const pending: string[] = [];
  for (const member of options.members) {
    const access = options.access(member);
    if ("closed" in access) {
      if (options.memberExists(member)) pending.push(`waiting for member ${member}: ${access.closed}`);
      continue;
    }
    if (!access.informers.synced) {
      pending.push(`waiting for member ${member}'s objects to be listed`);
      continue;
    }
    for (const kind of kinds) {
      const live = access.informers.objectsOf(kind, namespace, name);
      if (live.length) pending.push(`${live.length} ${kind.resource} left in member ${member}`);
      for (const object of live) {
        await deleteObject(access.informers, kind, object).catch((e) => pending.push(messageOf(e)));
      }
    }
  }
  return { pending };
}
