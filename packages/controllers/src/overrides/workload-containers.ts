import { isRecord, type KubeObject } from "@atoll/kube";
import { getAt } from "./json-pointer.ts";

/** Where the pod spec sits in each built-in workload kind, keyed by `group/kind` (core group: ""). */
const podSpecPointers: Record<string, string> = {
  "/Pod": "/spec",
  "apps/Deployment": "/spec/template/spec",
  "apps/ReplicaSet": "/spec/template/spec",
  "apps/StatefulSet": "/spec/template/spec",
  "apps/DaemonSet": "/spec/template/spec",
  "batch/Job": "/spec/template/spec",
  "batch/CronJob": "/spec/jobTemplate/spec/template/spec",
};

/** One container of a workload: the live record inside the object, and its JSON pointer. */
export type ContainerRef = {
  container: Record<string, unknown>;
  pointer: string;
};

/**
 * The JSON pointer of the pod spec of a built-in workload (Pod, Deployment,
 * ReplicaSet, StatefulSet, DaemonSet, Job, CronJob), or undefined for any
 * other kind. The API group counts, so a custom `Deployment` is not mistaken
 * for apps/v1's.
 */
export function podSpecPointer(object: KubeObject): string | undefined {
  const apiVersion = object.apiVersion ?? "";
  const slash = apiVersion.indexOf("/");
  const group = slash === -1 ? "" : apiVersion.slice(0, slash);
  return podSpecPointers[`${group}/${object.kind ?? ""}`];
}

/**
 * The containers, then the initContainers, of a built-in workload's pod spec,
 * as live records of `object` (editing one edits the object). Empty for other
 * kinds and for workloads without containers.
 */
export function workloadContainers(object: KubeObject): ContainerRef[] {
  const specPointer = podSpecPointer(object);
  if (specPointer === undefined) return [];
  const refs: ContainerRef[] = [];
  for (const list of ["containers", "initContainers"] as const) {
    const containers = getAt(object, `${specPointer}/${list}`);
    if (!Array.isArray(containers)) continue;
    containers.forEach((container: unknown, index) => {
      if (isRecord(container)) refs.push({ container, pointer: `${specPointer}/${list}/${index}` });
    });
  }
  return refs;
}
