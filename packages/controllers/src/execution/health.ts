import type { ResourceHealth } from "@atoll/api";
import { isRecord, type KubeObject } from "@atoll/kube";

type Interpreter = (
  object: KubeObject,
  spec: Record<string, unknown>,
  status: Record<string, unknown>,
) => boolean;

/**
 * Whether a member object is doing what it was asked to, as Karmada's
 * default health interpreters judge the well-known kinds: `Unknown` when the
 * object is not there, `Healthy` for any other kind that exists. A workload
 * whose controller has not yet observed the latest spec is not healthy.
 * The kind is passed in (a listed object need not carry apiVersion and kind).
 */
export function resourceHealth(
  kind: { group: string; kind: string },
  object: KubeObject | undefined,
): ResourceHealth {
  if (!object) return "Unknown";
  const interpret = INTERPRETERS[`${kind.group}/${kind.kind}`];
  if (!interpret) return "Healthy";
  const spec = isRecord(object.spec) ? object.spec : {};
  const status = isRecord(object.status) ? object.status : {};
  return interpret(object, spec, status) ? "Healthy" : "Unhealthy";
}

const INTERPRETERS: Record<string, Interpreter> = {
  "apps/Deployment": (object, spec, status) => {
    const replicas = count(spec.replicas, 1);
    return (
      observedLatest(object, status) &&
      count(status.updatedReplicas) === replicas &&
      count(status.availableReplicas) === replicas
    );
  },
  "apps/StatefulSet": (object, spec, status) => {
    const replicas = count(spec.replicas, 1);
    return (
      observedLatest(object, status) &&
      count(status.readyReplicas) === replicas &&
      count(status.updatedReplicas) === replicas
    );
  },
  "apps/ReplicaSet": (_object, spec, status) => count(status.readyReplicas) === count(spec.replicas, 1),
  "apps/DaemonSet": (object, _spec, status) => {
    const desired = count(status.desiredNumberScheduled);
    return (
      observedLatest(object, status) &&
      count(status.numberReady) === desired &&
      count(status.updatedNumberScheduled) === desired
    );
  },
  "batch/Job": (_object, _spec, status) => {
    if (conditionTrue(status, "Complete")) return true;
    return count(status.active) > 0 && !conditionTrue(status, "Failed");
  },
  "/Pod": (_object, _spec, status) => status.phase === "Succeeded" || conditionTrue(status, "Ready"),
  "/PersistentVolumeClaim": (_object, _spec, status) => status.phase === "Bound",
  "/Service": (_object, spec, status) => {
    if (spec.type !== "LoadBalancer") return true;
    const ingress = isRecord(status.loadBalancer) ? status.loadBalancer.ingress : undefined;
    return Array.isArray(ingress) && ingress.length > 0;
  },
};

function count(value: unknown, fallback = 0): number {
  return typeof value === "number" ? value : fallback;
}

/** The workload controller has seen the current spec (status.observedGeneration ≥ metadata.generation). */
function observedLatest(object: KubeObject, status: Record<string, unknown>): boolean {
  return count(status.observedGeneration) >= count(object.metadata.generation);
}

function conditionTrue(status: Record<string, unknown>, type: string): boolean {
  const conditions = Array.isArray(status.conditions) ? status.conditions : [];
  return conditions.some((c) => isRecord(c) && c.type === type && c.status === "True");
}
