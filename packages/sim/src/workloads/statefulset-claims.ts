import {
  cloneJson,
  type Informer,
  jsonEqual,
  type KubeClient,
  type KubeObject,
  type OwnerReference,
  R,
  StatusError,
} from "@atoll/kube";
import type { EventRecorder } from "../events/recorder.ts";
import { controllerRefTo } from "./owner.ts";
import { claimName, inOrdinalRange, ordinalOf, podName, statefulSetSpec } from "./statefulset-identity.ts";
import { errorMessage } from "./status-fields.ts";
import { WorkloadControllerNames } from "./well-known.ts";

const NAME = WorkloadControllerNames.statefulSet;

function policyOf(set: KubeObject): { deleteWhenDeleted: boolean; deleteWhenScaled: boolean } {
  const policy = statefulSetSpec(set).persistentVolumeClaimRetentionPolicy ?? {};
  return {
    deleteWhenDeleted: policy.whenDeleted === "Delete",
    deleteWhenScaled: policy.whenScaled === "Delete",
  };
}

const refersTo = (ref: OwnerReference, kind: string, name: string | undefined) =>
  ref.kind === kind && ref.name === name;

/**
 * The ownerReferences a member's claim should have under the set's
 * persistentVolumeClaimRetentionPolicy (`updateClaimOwnerRefForSetAndPod`):
 * the set as controller when claims go with the set (`whenDeleted: Delete`)
 * and the pod is in range, the pod as controller when it was scaled away and
 * `whenScaled: Delete`; none under Retain. Undefined means leave the claim
 * alone: it refers to an older set or pod of the same name, or another
 * controller owns it.
 */
export function desiredClaimOwners(
  claim: KubeObject,
  set: KubeObject,
  pod: KubeObject | undefined,
): OwnerReference[] | undefined {
  const refs = claim.metadata.ownerReferences ?? [];
  const stale = refs.some(
    (r) =>
      (refersTo(r, "StatefulSet", set.metadata.name) && r.uid !== set.metadata.uid) ||
      (pod !== undefined && refersTo(r, "Pod", pod.metadata.name) && r.uid !== pod.metadata.uid),
  );
  if (stale) return undefined;
  const ours = (r: OwnerReference) =>
    refersTo(r, "StatefulSet", set.metadata.name) ||
    (pod !== undefined && refersTo(r, "Pod", pod.metadata.name));
  const kept = refs.filter((r) => !ours(r));
  const { deleteWhenDeleted, deleteWhenScaled } = policyOf(set);
  if (!deleteWhenDeleted && !deleteWhenScaled) return kept;
  if (kept.some((r) => r.controller)) return kept;
  const scaledDown = pod !== undefined && !inOrdinalRange(set, ordinalOf(set, pod));
  const next = [...kept];
  if (deleteWhenDeleted && !(deleteWhenScaled && scaledDown)) next.push(controllerRefTo(set, R.statefulsets));
  if (deleteWhenScaled && scaledDown && pod?.metadata.uid) next.push(controllerRefTo(pod, R.pods));
  return next;
}

/**
 * Creates the claims a member pod needs and does not have yet, before the
 * pod: `<template>-<set>-<ordinal>` from each volumeClaimTemplate, labelled
 * with the template's labels and the set's matchLabels. Fails while a claim
 * of that name is still being deleted.
 */
export async function createMissingClaims(options: {
  client: KubeClient;
  claims: Informer;
  set: KubeObject;
  ordinal: number;
  events: EventRecorder;
}): Promise<void> {
  const { client, claims, set, ordinal } = options;
  const spec = statefulSetSpec(set);
  const namespace = set.metadata.namespace;
  for (const template of spec.volumeClaimTemplates ?? []) {
    const name = claimName(set, template, ordinal);
    const existing = claims.get(`${namespace}/${name}`);
    if (existing?.metadata.deletionTimestamp) {
      throw new StatusError(
        "Conflict",
        `persistentvolumeclaims "${name}" is being deleted; waiting to recreate it`,
      );
    }
    if (existing) continue;
    const claim: KubeObject = {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: {
        name,
        namespace,
        labels: { ...template.metadata?.labels, ...spec.selector?.matchLabels },
        ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      },
      spec: cloneJson(template.spec ?? {}),
    };
    const owners = desiredClaimOwners(claim, set, undefined) ?? [];
    if (owners.length > 0) claim.metadata.ownerReferences = owners;
    const subject = `Claim ${name} Pod ${podName(set, ordinal)} in StatefulSet ${set.metadata.name}`;
    try {
      await client.create(R.persistentvolumeclaims, namespace, claim, { fieldManager: NAME });
      options.events.event(set, "Normal", "SuccessfulCreate", `create ${subject} success`);
    } catch (error) {
      if (error instanceof StatusError && error.reason === "AlreadyExists") continue;
      options.events.event(
        set,
        "Warning",
        "FailedCreate",
        `create ${subject} failed error: ${errorMessage(error)}`,
      );
      throw error;
    }
  }
}

/** Brings the ownerReferences of a member's claims in line with the retention policy. */
export async function syncClaimOwners(
  client: KubeClient,
  claims: Informer,
  set: KubeObject,
  pod: KubeObject,
): Promise<void> {
  const ordinal = ordinalOf(set, pod);
  for (const template of statefulSetSpec(set).volumeClaimTemplates ?? []) {
    const claim = claims.get(`${set.metadata.namespace}/${claimName(set, template, ordinal)}`);
    if (!claim || claim.metadata.deletionTimestamp) continue;
    const owners = desiredClaimOwners(claim, set, pod);
    if (!owners || jsonEqual(owners, claim.metadata.ownerReferences ?? [])) continue;
    const patch = { metadata: { ownerReferences: owners, resourceVersion: claim.metadata.resourceVersion } };
    await client.patch(
      R.persistentvolumeclaims,
      claim.metadata.namespace,
      claim.metadata.name ?? "",
      "merge",
      patch,
      {
        fieldManager: NAME,
      },
    );
  }
}
