import type { KubeObject } from "@atoll/kube";
import { isRecord, milliValue, parseQuantity } from "@atoll/kube";

/** A node and what is already placed on it: the scheduler's snapshot of one node. */
export type NodeInfo = {
  node: KubeObject;
  name: string;
  labels: Record<string, string>;
  pods: KubeObject[];
  requested: Resources;
  allocatable: Resources;
};

/** cpu in millicores, memory in bytes, pods as a count. */
export type Resources = { cpu: number; memory: number; pods: number };

export function nodeInfo(node: KubeObject, pods: KubeObject[]): NodeInfo {
  const status = isRecord(node.status) ? node.status : {};
  const allocatable = isRecord(status.allocatable) ? status.allocatable : {};
  const requested = { cpu: 0, memory: 0, pods: 0 };
  for (const pod of pods) {
    const r = podRequests(pod);
    requested.cpu += r.cpu;
    requested.memory += r.memory;
    requested.pods += 1;
  }
  return {
    node,
    name: node.metadata.name ?? "",
    labels: node.metadata.labels ?? {},
    pods,
    requested,
    allocatable: {
      cpu: quantity(allocatable.cpu, milliValue),
      memory: quantity(allocatable.memory, parseQuantity),
      pods: quantity(allocatable.pods, parseQuantity),
    },
  };
}

function quantity(value: unknown, parse: (v: string | number) => number): number {
  return typeof value === "string" || typeof value === "number" ? parse(value) : 0;
}

/**
 * Requests per pod object. Informer objects are immutable and shared, and every
 * scheduling decision sums the requests of every pod on every node, so parsing
 * each pod's quantities once keeps that sum from dominating large rollouts.
 */
const requestsOf = new WeakMap<KubeObject, Resources>();

/** A pod's effective requests: the sum over containers, or the largest init container, whichever is more. */
export function podRequests(pod: KubeObject): Resources {
  let requests = requestsOf.get(pod);
  if (!requests) {
    requests = computeRequests(pod);
    requestsOf.set(pod, requests);
  }
  return { ...requests };
}

function computeRequests(pod: KubeObject): Resources {
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const sum = (containers: unknown) => {
    const total = { cpu: 0, memory: 0, pods: 1 };
    for (const c of Array.isArray(containers) ? containers : []) {
      const requests =
        isRecord(c) && isRecord(c.resources) && isRecord(c.resources.requests) ? c.resources.requests : {};
      if (requests.cpu !== undefined) total.cpu += milliValue(requests.cpu as string);
      if (requests.memory !== undefined) total.memory += parseQuantity(requests.memory as string);
    }
    return total;
  };
  const main = sum(spec.containers);
  for (const init of Array.isArray(spec.initContainers) ? spec.initContainers : []) {
    const one = sum([init]);
    main.cpu = Math.max(main.cpu, one.cpu);
    main.memory = Math.max(main.memory, one.memory);
  }
  return main;
}
