import type { KubeObject } from "@atoll/kube";
import { R } from "@atoll/kube";
import { controllerRefTo } from "./owner.ts";
import { podFromTemplate } from "./pod-template.ts";
import { WorkloadLabels } from "./well-known.ts";
import {
  type Condition,
  intOr,
  type LabelSelector,
  type PodSpec,
  type PodTemplate,
  type StringMap,
  specOf,
  type Volume,
} from "./workload-types.ts";

/** A volumeClaimTemplates entry. */
export type ClaimTemplate = {
  metadata?: { name?: string; labels?: StringMap; annotations?: StringMap };
  spec?: Record<string, unknown>;
};

/** The StatefulSet spec fields the controller reads. */
export type StatefulSetSpec = {
  replicas?: number;
  selector?: LabelSelector;
  template?: PodTemplate;
  serviceName?: string;
  podManagementPolicy?: string;
  updateStrategy?: { type?: string; rollingUpdate?: { partition?: number } };
  volumeClaimTemplates?: ClaimTemplate[];
  persistentVolumeClaimRetentionPolicy?: { whenDeleted?: string; whenScaled?: string };
  minReadySeconds?: number;
  ordinals?: { start?: number };
};

/** A StatefulSet status as the controller writes it. */
export type StatefulSetStatus = {
  observedGeneration?: number;
  replicas?: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
  availableReplicas?: number;
  conditions?: Condition[];
};

/** Accessors with Kubernetes' defaults: ordinals start at 0, replicas 1 when unset. */
export const statefulSetSpec = (set: KubeObject) => specOf<StatefulSetSpec>(set);
export const startOrdinal = (set: KubeObject) => intOr(statefulSetSpec(set).ordinals?.start, 0);
export const replicasOf = (set: KubeObject) => intOr(statefulSetSpec(set).replicas, 1);

const ORDINAL = /^(.*)-(\d+)$/;

/** The pod's ordinal when its name is `<set>-<ordinal>`, else -1 (`getParentNameAndOrdinal`). */
export function ordinalOf(set: KubeObject, pod: KubeObject): number {
  const match = ORDINAL.exec(pod.metadata.name ?? "");
  if (!match || match[1] !== set.metadata.name) return -1;
  const ordinal = Number(match[2]);
  return Number.isSafeInteger(ordinal) && ordinal <= 2_147_483_647 ? ordinal : -1;
}

/** The ordinal is one the set should have now (start ≤ ordinal < start + replicas). */
export function inOrdinalRange(set: KubeObject, ordinal: number): boolean {
  return ordinal >= startOrdinal(set) && ordinal < startOrdinal(set) + replicasOf(set);
}

/** `<set>-<ordinal>`. */
export function podName(set: KubeObject, ordinal: number): string {
  return `${set.metadata.name}-${ordinal}`;
}

/** `<template>-<set>-<ordinal>`: the claim a pod's volume of that template uses. */
export function claimName(set: KubeObject, template: ClaimTemplate, ordinal: number): string {
  return `${template.metadata?.name}-${set.metadata.name}-${ordinal}`;
}

/** The revision a member pod was created from (its controller-revision-hash label). */
export function podRevision(pod: KubeObject): string {
  return pod.metadata.labels?.[WorkloadLabels.controllerRevisionHash] ?? "";
}

/**
 * A new member pod: the template of `revision`, named `<set>-<ordinal>`, with
 * the pod-name, pod-index and controller-revision-hash labels, hostname and
 * subdomain (the governing service) for its DNS identity, and one volume per
 * claim template referencing that ordinal's claim.
 */
export function newStatefulSetPod(
  set: KubeObject,
  template: PodTemplate | undefined,
  ordinal: number,
  revision: string,
): KubeObject {
  const name = podName(set, ordinal);
  const pod = podFromTemplate(template, {
    namespace: set.metadata.namespace,
    name,
    controllerRef: controllerRefTo(set, R.statefulsets),
  });
  pod.metadata.labels = {
    ...pod.metadata.labels,
    [WorkloadLabels.statefulSetPodName]: name,
    [WorkloadLabels.podIndex]: String(ordinal),
    [WorkloadLabels.controllerRevisionHash]: revision,
  };
  const spec = pod.spec as PodSpec;
  spec.hostname = name;
  const serviceName = statefulSetSpec(set).serviceName;
  if (serviceName) spec.subdomain = serviceName;
  const templates = statefulSetSpec(set).volumeClaimTemplates ?? [];
  if (templates.length > 0) {
    const claimVolumes: Volume[] = templates.map((t) => ({
      name: t.metadata?.name ?? "",
      persistentVolumeClaim: { claimName: claimName(set, t, ordinal) },
    }));
    const names = new Set(claimVolumes.map((v) => v.name));
    spec.volumes = [...claimVolumes, ...(spec.volumes ?? []).filter((v) => !names.has(v.name))];
  }
  return pod;
}

/** The labels a member pod must carry for its identity; those it lacks or has wrong, or undefined when right. */
export function missingIdentityLabels(
  set: KubeObject,
  pod: KubeObject,
  ordinal: number,
): StringMap | undefined {
  const want = {
    [WorkloadLabels.statefulSetPodName]: podName(set, ordinal),
    [WorkloadLabels.podIndex]: String(ordinal),
  };
  const wrong = Object.entries(want).filter(([k, v]) => pod.metadata.labels?.[k] !== v);
  return wrong.length === 0 ? undefined : Object.fromEntries(wrong);
}
