import { createHash } from "node:crypto";
import { AtollLabels, PropagationAnnotations, type ResourceIdentifier, type Work } from "@atoll/api";
import type { KubeObject, ResourceId } from "@atoll/kube";
import { isRecord } from "@atoll/kube";
import type { ResourceMapper } from "../propagation/resource-mapper.ts";

/** A manifest of a Work, ready to apply: its resource, where it goes, and the object as sent. */
export type PreparedManifest = {
  ordinal: number;
  resource: ResourceId;
  namespace: string | undefined;
  name: string;
  /** The object to apply: server-set fields and status removed, Atoll's label and Work annotations added. */
  object: KubeObject;
  identifier: ResourceIdentifier;
};

/** A manifest that cannot be applied as written (no name, or a kind no API serves). */
export type UnusableManifest = { ordinal: number; message: string };

/** Metadata the API server sets; sending it would be rejected or take ownership of it. */
const SERVER_SET_METADATA = [
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "managedFields",
  "selfLink",
] as const;

/**
 * Resolves and prepares every manifest of a Work. Fields Atoll does not send
 * (status, server-set metadata) stay owned by the member: server-side apply
 * leaves alone what is not in the applied configuration.
 */
export function prepareManifests(
  work: Work,
  mapper: ResourceMapper,
): { prepared: PreparedManifest[]; unusable: UnusableManifest[] } {
  const prepared: PreparedManifest[] = [];
  const unusable: UnusableManifest[] = [];
  const manifests = work.spec?.workload?.manifests ?? [];
  for (const [ordinal, manifest] of manifests.entries()) {
    if (!isRecord(manifest) || !isRecord(manifest.metadata)) {
      unusable.push({ ordinal, message: `manifest ${ordinal} is not a Kubernetes object` });
      continue;
    }
    const name = manifest.metadata.name;
    const label = `${manifest.kind ?? "?"} ${manifest.apiVersion ?? "?"} ${name ?? ""}`.trim();
    if (typeof name !== "string" || !name) {
      unusable.push({ ordinal, message: `manifest ${ordinal} (${label}) has no metadata.name` });
      continue;
    }
    const resource = mapper.resolveObject(manifest);
    if (!resource) {
      unusable.push({
        ordinal,
        message: `manifest ${ordinal}: no API serves kind ${manifest.kind ?? "?"} in ${manifest.apiVersion ?? "?"}`,
      });
      continue;
    }
    const namespace = resource.namespaced ? (manifest.metadata.namespace ?? "default") : undefined;
    prepared.push({
      ordinal,
      resource,
      namespace,
      name,
      object: memberObject(manifest, work, namespace),
      identifier: identifierOf(ordinal, resource, namespace, name),
    });
  }
  return { prepared, unusable };
}

/** The identifier recorded in Work status; also what finds an object again once its manifest is gone. */
export function identifierOf(
  ordinal: number,
  resource: ResourceId,
  namespace: string | undefined,
  name: string,
): ResourceIdentifier {
  const identifier: ResourceIdentifier = {
    ordinal,
    version: resource.version,
    kind: resource.kind,
    resource: resource.resource,
    name,
  };
  if (resource.group) identifier.group = resource.group;
  if (namespace) identifier.namespace = namespace;
  return identifier;
}

/** The resource an identifier names (namespaced when it has a namespace). */
export function resourceOfIdentifier(identifier: ResourceIdentifier): ResourceId {
  return {
    group: identifier.group ?? "",
    version: identifier.version,
    resource: identifier.resource,
    kind: identifier.kind,
    namespaced: Boolean(identifier.namespace),
  };
}

/** Same object in the member, whatever its ordinal or version. */
export function sameObject(a: ResourceIdentifier, b: ResourceIdentifier): boolean {
  return (
    (a.group ?? "") === (b.group ?? "") &&
    a.kind === b.kind &&
    (a.namespace ?? "") === (b.namespace ?? "") &&
    a.name === b.name
  );
}

/** Whether a member object was applied by this Work (its Work annotations name it). */
export function appliedBy(object: KubeObject, work: Pick<Work, "metadata">): boolean {
  const annotations = object.metadata.annotations ?? {};
  return (
    annotations[PropagationAnnotations.workName] === work.metadata.name &&
    annotations[PropagationAnnotations.workNamespace] === work.metadata.namespace
  );
}

/** The Work that applied a member object, as a hub key, or undefined for objects no Work applied. */
export function workKeyOf(object: KubeObject): string | undefined {
  const annotations = object.metadata.annotations ?? {};
  const name = annotations[PropagationAnnotations.workName];
  const namespace = annotations[PropagationAnnotations.workNamespace];
  return name && namespace ? `${namespace}/${name}` : undefined;
}

function memberObject(manifest: KubeObject, work: Work, namespace: string | undefined): KubeObject {
  const { status: _status, ...rest } = manifest;
  const metadata: KubeObject["metadata"] = { ...manifest.metadata };
  for (const field of SERVER_SET_METADATA) delete metadata[field];
  if (namespace) metadata.namespace = namespace;
  else delete metadata.namespace;
  metadata.labels = { ...metadata.labels, [AtollLabels.managedBy]: AtollLabels.managedByValue };
  metadata.annotations = {
    ...metadata.annotations,
    [PropagationAnnotations.workName]: work.metadata.name ?? "",
    [PropagationAnnotations.workNamespace]: work.metadata.namespace ?? "",
  };
  delete metadata.annotations[PropagationAnnotations.manifestDigest];
  const object = { ...rest, metadata };
  metadata.annotations[PropagationAnnotations.manifestDigest] = createHash("sha256")
    .update(JSON.stringify(object))
    .digest("base64url")
    .slice(0, 22);
  return object;
}

/** Whether a member object was last applied from exactly this prepared manifest. */
export function sameDigest(live: KubeObject, manifest: PreparedManifest): boolean {
  const key = PropagationAnnotations.manifestDigest;
  return live.metadata.annotations?.[key] === manifest.object.metadata.annotations?.[key];
}
