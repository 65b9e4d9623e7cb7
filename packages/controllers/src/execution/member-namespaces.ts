import { AtollLabels } from "@atoll/api";
import type { KubeObject } from "@atoll/kube";
import { R, StatusError } from "@atoll/kube";
import type { MemberCache } from "./member-caches.ts";

/**
 * On a member namespace the execution controller created because a manifest
 * needed it (not because a Work asked for the Namespace itself). Such a
 * namespace is no conflict for a Work that later brings the Namespace's own
 * manifest: that Work adopts it. (A candidate for well-known.ts.)
 */
export const CREATED_FOR_CONTENTS = "work.atoll.io/created-for-contents";

/** Creates `namespace` in the member unless it exists (known to the cache, or read). */
export async function ensureNamespace(cache: MemberCache, namespace: string): Promise<void> {
  if (cache.namespaces.has(namespace)) return;
  const existing = await cache.client.get(R.namespaces, undefined, namespace);
  if (!existing) {
    try {
      await cache.client.create(R.namespaces, undefined, {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
          name: namespace,
          labels: { [AtollLabels.managedBy]: AtollLabels.managedByValue },
          annotations: { [CREATED_FOR_CONTENTS]: "true" },
        },
      });
    } catch (error) {
      if (!(error instanceof StatusError && error.reason === "AlreadyExists")) throw error;
    }
  }
  cache.namespaces.add(namespace);
}

/** A namespace this controller created for the objects in it, which no Work has adopted yet. */
export function createdForContents(object: KubeObject): boolean {
  const annotations = object.metadata.annotations ?? {};
  return (
    annotations[CREATED_FOR_CONTENTS] === "true" &&
    object.metadata.labels?.[AtollLabels.managedBy] === AtollLabels.managedByValue
  );
}

/** A write refused because the object's namespace does not exist. */
export function isMissingNamespace(error: unknown): boolean {
  return error instanceof StatusError && error.reason === "NotFound" && error.details?.kind === "namespaces";
}
