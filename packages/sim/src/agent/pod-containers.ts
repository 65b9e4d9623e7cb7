import type { KubeObject } from "@atoll/kube";
import { isRecord } from "@atoll/kube";
import type { RunningContainer } from "../runtime/index.ts";

/** Where the agent finds the processes of pods' containers: the member's real-process runtime. */
export interface ContainerProcesses {
  /** Whether containers of this image run as real processes (false: simulated, no process to run in). */
  handles(image: string): boolean;
  /** The container's process while it runs; undefined when it is not running now. */
  runningContainer(pod: KubeObject, container: string): RunningContainer | undefined;
}

/** A pod's container as the agent sees it. */
export type ContainerLookup =
  | { state: "running"; name: string; process: RunningContainer }
  | { state: "not-running"; name: string }
  /** Simulated by the kubelet: there is never a process to run commands in. */
  | { state: "simulated"; name: string }
  /** The pod has no such container (or no containers). */
  | { state: "missing"; name: string };

/** Finds `name` (default: the pod's first container) among the pod's containers and its process. */
export function lookupContainer(
  pod: KubeObject,
  name: string | undefined,
  processes: ContainerProcesses | undefined,
): ContainerLookup {
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const containers = (Array.isArray(spec.containers) ? spec.containers : []).filter(isRecord);
  const container = name === undefined ? containers[0] : containers.find((c) => c.name === name);
  const wanted = name ?? "";
  if (container === undefined) return { state: "missing", name: wanted };
  const found = String(container.name);
  if (processes === undefined || !processes.handles(String(container.image ?? "")))
    return { state: "simulated", name: found };
  const process = processes.runningContainer(pod, found);
  return process === undefined
    ? { state: "not-running", name: found }
    : { state: "running", name: found, process };
}

/** Why a container has nothing to run commands in, for action results and events. */
export function notRunningReason(lookup: Exclude<ContainerLookup, { state: "running" }>): string {
  switch (lookup.state) {
    case "missing":
      return lookup.name === "" ? "the pod has no containers" : `the pod has no container "${lookup.name}"`;
    case "simulated":
      return `container "${lookup.name}" is simulated: it has no process to run commands in`;
    case "not-running":
      return `container "${lookup.name}" is not running`;
  }
}
