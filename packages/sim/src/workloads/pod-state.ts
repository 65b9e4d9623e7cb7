import type { KubeObject } from "@atoll/kube";
import { type Condition, type PodSpec, type PodStatus, specOf, statusOf } from "./workload-types.ts";

/** The pod's `status.phase` ("" when it has none). */
export function podPhase(pod: KubeObject): string {
  return statusOf<PodStatus>(pod).phase ?? "";
}

/** Succeeded or Failed: the pod will never run again. */
export function isPodTerminal(pod: KubeObject): boolean {
  const phase = podPhase(pod);
  return phase === "Succeeded" || phase === "Failed";
}

/** Has a deletionTimestamp: being deleted, possibly waiting for a grace period or finalizers. */
export function isPodTerminating(pod: KubeObject): boolean {
  return pod.metadata.deletionTimestamp !== undefined;
}

/** Counts toward a controller's replicas: not finished and not being deleted (`controller.FilterActivePods`). */
export function isPodActive(pod: KubeObject): boolean {
  return !isPodTerminal(pod) && !isPodTerminating(pod);
}

function readyCondition(pod: KubeObject): Condition | undefined {
  return statusOf<PodStatus>(pod).conditions?.find((c) => c.type === "Ready");
}

/** The pod's Ready condition is True. */
export function isPodReady(pod: KubeObject): boolean {
  return readyCondition(pod)?.status === "True";
}

/** Running with a true Ready condition (the StatefulSet controller's health check). */
export function isPodRunningAndReady(pod: KubeObject): boolean {
  return podPhase(pod) === "Running" && isPodReady(pod);
}

/** When the pod became Ready, or undefined when it is not. */
export function podReadySince(pod: KubeObject): Date | undefined {
  const condition = readyCondition(pod);
  if (condition?.status !== "True" || !condition.lastTransitionTime) return undefined;
  const time = new Date(condition.lastTransitionTime);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/**
 * Ready for at least `minReadySeconds` at `now` (`podutil.IsPodAvailable`):
 * with 0, Ready is enough; otherwise the Ready condition's
 * lastTransitionTime must be that far in the past.
 */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, now: Date): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const since = podReadySince(pod);
  return since !== undefined && since.getTime() + minReadySeconds * 1000 < now.getTime();
}

/**
 * Milliseconds until the next of `pods` that is Ready but not yet available
 * becomes available, or undefined when none is waiting: when to look again.
 */
export function nextAvailabilityMs(
  pods: KubeObject[],
  minReadySeconds: number,
  now: Date,
): number | undefined {
  if (minReadySeconds <= 0) return undefined;
  let next: number | undefined;
  for (const pod of pods) {
    const since = podReadySince(pod);
    if (!since || isPodAvailable(pod, minReadySeconds, now)) continue;
    const wait = Math.max(since.getTime() + minReadySeconds * 1000 - now.getTime() + 1, 1);
    next = next === undefined ? wait : Math.min(next, wait);
  }
  return next;
}

/** `spec.nodeName` ("" when unscheduled). */
export function podNodeName(pod: KubeObject): string {
  return specOf<PodSpec>(pod).nodeName ?? "";
}

/** Restarts summed over the pod's containers. */
export function podRestarts(pod: KubeObject): number {
  return (statusOf<PodStatus>(pod).containerStatuses ?? []).reduce(
    (sum, c) => sum + (c.restartCount ?? 0),
    0,
  );
}
