import { createHash } from "node:crypto";
import { type KubeObject, R, type ResourceId, StatusError } from "@atoll/kube";
import { InstanceAnnotations, InstanceLabels } from "./instance-names.ts";
import type { MemberInformers } from "./member-informers.ts";
import type { MemberObject } from "./member-objects.ts";

/** Kinds whose spec a member will not change once created: re-sent only when missing. */
const IMMUTABLE: readonly ResourceId[] = [R.pods, R.persistentvolumeclaims];

/** Creates the namespace in the member unless it exists. Atoll does not delete it. */
export async function ensureNamespace(
  member: MemberInformers,
  known: Set<string>,
  namespace: string,
): Promise<void> {
  if (known.has(namespace)) return;
  if (!(await member.client.get(R.namespaces, undefined, namespace))) {
    try {
      await member.client.create(R.namespaces, undefined, {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: namespace },
      });
    } catch (error) {
      if (!(error instanceof StatusError && error.reason === "AlreadyExists")) throw error;
    }
  }
  known.add(namespace);
}

/**
 * Server-side applies `target` (forced, as `fieldManager`) unless the live
 * copy the informer holds was applied from the same manifest (a digest
 * annotation says which). A pod or PVC that exists is left as it is: their
 * specs cannot change in place (rolling a replica is later work).
 */
export async function applyObject(
  member: MemberInformers,
  target: MemberObject,
  fieldManager: string,
): Promise<void> {
  const digest = createHash("sha256").update(JSON.stringify(target.object)).digest("hex").slice(0, 16);
  const live = member.get(target.resource, target.namespace, target.name);
  if (live && !live.metadata.deletionTimestamp) {
    if (live.metadata.annotations?.[InstanceAnnotations.appliedDigest] === digest) return;
    if (IMMUTABLE.includes(target.resource)) return;
  }
  if (live?.metadata.deletionTimestamp) return; // recreated once its deletion event re-queues the Cluster
  const object: KubeObject = {
    ...target.object,
    metadata: {
      ...target.object.metadata,
      annotations: { ...target.object.metadata.annotations, [InstanceAnnotations.appliedDigest]: digest },
    },
  };
  try {
    await member.client.patch(target.resource, target.namespace, target.name, "apply", object, {
      fieldManager,
      force: true,
    });
  } catch (error) {
    throw new Error(
      `failed to apply ${target.resource.resource} ${target.namespace}/${target.name} in member ${member.member}: ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  }
}

/** Deletes a member object of the instance, guarded by uid; one gone already is no failure. */
export async function deleteObject(
  member: MemberInformers,
  resource: ResourceId,
  live: KubeObject,
): Promise<void> {
  if (live.metadata.deletionTimestamp || !live.metadata.labels?.[InstanceLabels.cluster]) return;
  const { namespace, name = "" } = live.metadata;
  try {
    await member.client.delete(resource, namespace, name, {
      propagationPolicy: "Background",
      preconditions: { uid: live.metadata.uid },
    });
  } catch (error) {
    if (error instanceof StatusError && (error.reason === "NotFound" || error.reason === "Conflict")) return;
    throw new Error(
      `failed to delete ${resource.resource} ${namespace}/${name} in member ${member.member}: ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
