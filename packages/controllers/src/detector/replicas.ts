import type { ReplicaRequirements } from "@atoll/api";
import type { KubeObject } from "@atoll/kube";
import { isRecord, milliValue, parseQuantity } from "@atoll/kube";

/** Where a kind keeps its replica count; kinds not listed have none (0). */
const REPLICA_FIELDS: Record<string, string> = {
  "apps/Deployment": "replicas",
  "apps/StatefulSet": "replicas",
  "apps/ReplicaSet": "replicas",
  "batch/Job": "parallelism",
};

function replicaField(group: string, kind: string): string | undefined {
  return REPLICA_FIELDS[`${group}/${kind}`];
}

/**
 * The replicas a binding asks the scheduler to place: spec.replicas of
 * Deployments, StatefulSets and ReplicaSets, spec.parallelism of Jobs (both
 * 1 when unset, as Kubernetes defaults them), 0 for every other kind.
 */
export function templateReplicas(group: string, template: KubeObject): number {
  const field = replicaField(group, template.kind ?? "");
  if (!field) return 0;
  const spec = isRecord(template.spec) ? template.spec : {};
  const value = spec[field];
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : 1;
}

/**
 * What one replica requests, for capacity-aware scheduling: the cpu and
 * memory requests of the pod template's containers, summed. Undefined for
 * kinds without replicas and when no container requests either.
 */
export function templateReplicaRequirements(
  group: string,
  template: KubeObject,
): ReplicaRequirements | undefined {
  if (!replicaField(group, template.kind ?? "")) return undefined;
  const spec = isRecord(template.spec) ? template.spec : {};
  const podTemplate = isRecord(spec.template) ? spec.template : {};
  const podSpec = isRecord(podTemplate.spec) ? podTemplate.spec : {};
  const containers = Array.isArray(podSpec.containers) ? podSpec.containers.filter(isRecord) : [];
  let cpuMilli: number | undefined;
  let memoryBytes: number | undefined;
  for (const container of containers) {
    const resources = isRecord(container.resources) ? container.resources : {};
    const requests = isRecord(resources.requests) ? resources.requests : {};
    const cpu = quantity(requests.cpu, milliValue);
    const memory = quantity(requests.memory, parseQuantity);
    if (cpu !== undefined) cpuMilli = (cpuMilli ?? 0) + cpu;
    if (memory !== undefined) memoryBytes = (memoryBytes ?? 0) + memory;
  }
  const request: Record<string, string> = {};
  if (cpuMilli !== undefined) request.cpu = formatMilli(cpuMilli);
  if (memoryBytes !== undefined) request.memory = formatBytes(Math.ceil(memoryBytes));
  return Object.keys(request).length > 0 ? { resourceRequest: request } : undefined;
}

/** A request's value; undefined when absent or malformed (the API server would have refused it anyway). */
function quantity(value: unknown, parse: (q: string | number) => number): number | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  try {
    return parse(value);
  } catch {
    return undefined;
  }
}

/** Cores as Kubernetes prints them: whole cores plain ("2"), otherwise millicores ("350m"). */
export function formatMilli(milli: number): string {
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

const BINARY: ReadonlyArray<[string, number]> = [
  ["Ei", 2 ** 60],
  ["Pi", 2 ** 50],
  ["Ti", 2 ** 40],
  ["Gi", 2 ** 30],
  ["Mi", 2 ** 20],
  ["Ki", 2 ** 10],
];
const DECIMAL: ReadonlyArray<[string, number]> = [
  ["E", 1e18],
  ["P", 1e15],
  ["T", 1e12],
  ["G", 1e9],
  ["M", 1e6],
  ["k", 1e3],
];

/** Bytes in the shorter of their exact binary ("192Mi") and decimal ("2G") forms. */
export function formatBytes(bytes: number): string {
  const exact = (units: ReadonlyArray<[string, number]>) => {
    const unit = units.find(([, size]) => bytes >= size && bytes % size === 0);
    return unit ? `${bytes / unit[1]}${unit[0]}` : String(bytes);
  };
  const binary = exact(BINARY);
  const decimal = exact(DECIMAL);
  return decimal.length < binary.length ? decimal : binary;
}
