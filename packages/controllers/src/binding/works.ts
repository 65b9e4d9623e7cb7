import {
  AtollLabels,
  type ConflictResolution,
  PropagationAnnotations,
  PropagationFinalizers,
  WORKS,
} from "@atoll/api";
import type { KubeClient, KubeObject } from "@atoll/kube";
import { isRecord, jsonEqual, R, StatusError } from "@atoll/kube";
import { apiVersionOf } from "../propagation/resource-mapper.ts";

/** The field manager of every write of the binding controller, as `kubectl get --show-managed-fields` shows it. */
export const FIELD_MANAGER = "atoll-binding";

/** What this controller decides about one Work; other fields (finalizers, status, others' labels) are left alone. */
export type DesiredWork = {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  /** Every annotation of OWNED_ANNOTATIONS this Work should carry; the others are removed. */
  annotations: Record<string, string>;
  spec: {
    workload: { manifests: KubeObject[] };
    conflictResolution?: ConflictResolution;
    preserveResourcesOnDeletion?: boolean;
  };
};

/** The Work annotations this controller owns. */
const OWNED_ANNOTATIONS = [
  PropagationAnnotations.resourceBindingName,
  PropagationAnnotations.resourceBindingNamespace,
  PropagationAnnotations.clusterResourceBindingName,
  PropagationAnnotations.appliedOverrides,
  PropagationAnnotations.appliedClusterOverrides,
];

/** Whether `existing` differs from `desired` in anything this controller owns. */
export function workDiffers(existing: KubeObject, desired: DesiredWork): boolean {
  if (workMetadataDiffers(existing, desired)) return true;
  const spec = isRecord(existing.spec) ? existing.spec : {};
  return (
    spec.conflictResolution !== desired.spec.conflictResolution ||
    spec.preserveResourcesOnDeletion !== desired.spec.preserveResourcesOnDeletion ||
    !jsonEqual(spec.workload, desired.spec.workload)
  );
}

/** Whether `existing` differs from `desired` in the labels and annotations this controller owns. */
export function workMetadataDiffers(
  existing: KubeObject,
  desired: Pick<DesiredWork, "labels" | "annotations">,
): boolean {
  const labels = existing.metadata.labels ?? {};
  if (Object.entries(desired.labels).some(([key, value]) => labels[key] !== value)) return true;
  const annotations = existing.metadata.annotations ?? {};
  return OWNED_ANNOTATIONS.some((key) => annotations[key] !== desired.annotations[key]);
}

/**
 * Creates and updates Works in the members' execution namespaces, creating a
 * namespace the first time a member gets a Work. Updates are merge patches of
 * the owned fields only, so the execution controller's finalizer and status
 * are never overwritten.
 */
export class WorkWriter {
  #hub: KubeClient;
  #namespaces = new Set<string>();

  constructor(hub: KubeClient) {
    this.#hub = hub;
  }

  /** Writes `desired` unless `existing` already matches it; returns the Work as written, or undefined when no write was needed. */
  async write(desired: DesiredWork, existing: KubeObject | undefined): Promise<KubeObject | undefined> {
    if (existing && !workDiffers(existing, desired)) return undefined;
    if (!existing) {
      await this.#ensureNamespace(desired.namespace);
      try {
        return await this.#hub.create(WORKS, desired.namespace, newWork(desired), {
          fieldManager: FIELD_MANAGER,
        });
      } catch (error) {
        if (error instanceof StatusError && error.reason === "NotFound")
          this.#namespaces.delete(desired.namespace);
        if (!(error instanceof StatusError) || error.reason !== "AlreadyExists") throw wrap(desired, error);
      }
      // Our cache had not seen it yet: compare with the server's copy.
      existing = await this.#hub.get(WORKS, desired.namespace, desired.name);
      if (!existing)
        throw new Error(`Work ${desired.namespace}/${desired.name} vanished while being created`);
      if (!workDiffers(existing, desired)) return undefined;
    }
    try {
      return await this.#hub.patch(WORKS, desired.namespace, desired.name, "merge", workPatch(desired), {
        fieldManager: FIELD_MANAGER,
      });
    } catch (error) {
      throw wrap(desired, error);
    }
  }

  /** Deletes a Work (its finalizer then holds it until the member's objects are gone); gone already is fine. */
  async delete(work: KubeObject): Promise<void> {
    if (work.metadata.deletionTimestamp) return;
    try {
      await this.#hub.delete(WORKS, work.metadata.namespace, work.metadata.name ?? "", {
        preconditions: work.metadata.uid ? { uid: work.metadata.uid } : undefined,
      });
    } catch (error) {
      if (error instanceof StatusError && (error.reason === "NotFound" || error.reason === "Conflict"))
        return;
      throw new Error(`failed to delete Work ${work.metadata.namespace}/${work.metadata.name}: ${error}`, {
        cause: error,
      });
    }
  }

  async #ensureNamespace(namespace: string): Promise<void> {
    if (this.#namespaces.has(namespace)) return;
    try {
      await this.#hub.create(
        R.namespaces,
        undefined,
        {
          metadata: { name: namespace, labels: { [AtollLabels.managedBy]: AtollLabels.managedByValue } },
        },
        { fieldManager: FIELD_MANAGER },
      );
    } catch (error) {
      if (!(error instanceof StatusError) || error.reason !== "AlreadyExists") {
        throw new Error(`failed to create execution namespace ${namespace}: ${error}`, { cause: error });
      }
    }
    this.#namespaces.add(namespace);
  }
}

function newWork(desired: DesiredWork): KubeObject {
  return {
    apiVersion: apiVersionOf(WORKS),
    kind: WORKS.kind,
    metadata: {
      name: desired.name,
      namespace: desired.namespace,
      labels: desired.labels,
      annotations: desired.annotations,
      // The execution stage's finalizer from the start: it would otherwise add it with a write of its own.
      finalizers: [PropagationFinalizers.execution],
    },
    spec: desired.spec,
  };
}

/** A merge patch setting the owned fields; null removes an owned annotation or spec field no longer wanted. */
function workPatch(desired: DesiredWork): Record<string, unknown> {
  const annotations: Record<string, string | null> = {};
  for (const key of OWNED_ANNOTATIONS) annotations[key] = desired.annotations[key] ?? null;
  return {
    metadata: { labels: desired.labels, annotations },
    spec: {
      workload: desired.spec.workload,
      conflictResolution: desired.spec.conflictResolution ?? null,
      preserveResourcesOnDeletion: desired.spec.preserveResourcesOnDeletion ?? null,
    },
  };
}

function wrap(desired: DesiredWork, error: unknown): Error {
  if (error instanceof StatusError) {
    return new Error(`failed to write Work ${desired.namespace}/${desired.name}: ${error.message}`, {
      cause: error,
    });
  }
  return error instanceof Error ? error : new Error(String(error));
}
