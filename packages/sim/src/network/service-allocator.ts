import {
  Controller,
  cloneJson,
  type Informer,
  jsonEqual,
  type KubeClient,
  R,
  type Random,
  type Runnable,
  splitKey,
  systemRandom,
} from "@atoll/kube";
import type { EventRecorder } from "../events/recorder.ts";
import { type AddressPlan, ipToNumber, numberToIp, parseRange } from "./address-plan.ts";
import { requestedLoadBalancerIPs } from "./load-balancer-allocation.ts";
import { ignoreNotFound } from "./not-found.ts";
import { type Service, serviceKey } from "./objects.ts";
import { type Requested, ServiceAllocations } from "./service-allocations.ts";
import { DEFAULT_NODE_PORT_RANGE } from "./well-known.ts";

export type ServiceAllocatorOptions = {
  client: KubeClient;
  /** Informer of every Service of the member (started by whoever owns it). */
  services: Informer;
  plan: AddressPlan;
  /** MetalLB-like pools: "FROM-TO" ranges or CIDRs. Default: the plan's load-balancer range. */
  loadBalancerPools?: readonly string[];
  /** Default 30000–32767. */
  nodePortRange?: readonly [number, number];
  /** Where dynamic cluster IPs and node ports are drawn from. Default: Math.random. */
  random?: Random;
  events: EventRecorder;
  onError?: (controller: string, key: string, error: unknown) => void;
};

/**
 * Allocates what kube-apiserver's service storage and a MetalLB controller
 * would: `spec.clusterIP`/`clusterIPs` from the member's service range (random,
 * preferring the upper band; honoured when asked for and free),
 * `ipFamilies: [IPv4]`/`ipFamilyPolicy: SingleStack`, a node port per port of
 * NodePort and LoadBalancer Services, and `status.loadBalancer.ingress` from
 * the pools (honouring `metallb.universe.tf/loadBalancerIPs` and
 * `spec.loadBalancerIP`). Frees them when Services go or change type, and
 * rebuilds its table from existing Services when it starts.
 *
 * Difference from Kubernetes: kube-apiserver allocates inside the create
 * request and refuses a taken or out-of-range IP or port with 422 Invalid. Here
 * the Service is stored first and this controller fills it in milliseconds
 * later; a request it cannot honour leaves the field as the user wrote it,
 * without the allocation, and is reported as a Warning Event on the Service
 * (reasons as kube-apiserver's repair controllers use: ClusterIPAlreadyAllocated,
 * ClusterIPOutOfRange, PortAlreadyAllocated, PortOutOfRange; MetalLB's
 * AllocationFailed). The request is retried whenever something is freed. When
 * two Services claim one value, the one that claimed it first keeps it (after a
 * restart: the older one); the proxy applies the same rule.
 */
export class ServiceAllocator implements Runnable {
  static readonly NAME = "service-allocator";
  #options: ServiceAllocatorOptions;
  #allocations: ServiceAllocations;
  #controller: Controller | undefined;
  #rebuilt = false;
  /** Keys whose last pass had rejections, with what was reported. */
  #rejected = new Map<string, string>();

  constructor(options: ServiceAllocatorOptions) {
    this.#options = options;
    const pools = options.loadBalancerPools?.map((pool) => parseRange(pool)) ?? [
      options.plan.loadBalancerRange,
    ];
    this.#allocations = new ServiceAllocations({
      serviceRange: options.plan.serviceRange,
      loadBalancerPools: pools,
      nodePortRange: options.nodePortRange ?? DEFAULT_NODE_PORT_RANGE,
      random: options.random ?? systemRandom,
    });
  }

  start(): void {
    this.#controller = new Controller({
      name: ServiceAllocator.NAME,
      reconcile: async (key) => {
        await this.#reconcile(key);
        return undefined;
      },
      onError: this.#options.onError,
    }).watches(this.#options.services);
  }

  stop(): void {
    this.#controller?.stop();
    this.#controller = undefined;
  }

  /** The Service key holding a value, for diagnostics and tests. */
  holderOf(
    value: { clusterIP: string } | { nodePort: number } | { loadBalancerIP: string },
  ): string | undefined {
    return this.#allocations.holderOf(value);
  }

  async #reconcile(key: string): Promise<void> {
    const { services, client } = this.#options;
    if (!this.#rebuilt) {
      await services.synced();
      this.#allocations.rebuild(services.list() as Service[]);
      this.#rebuilt = true;
    }
    const releasesBefore = this.#allocations.releases;
    try {
      const service = services.get(key) as Service | undefined;
      if (!service) {
        this.#allocations.release(key);
        this.#rejected.delete(key);
        return;
      }
      const assignment = this.#allocations.assign(service, requestedBy(services.list() as Service[], key));
      this.#report(key, service, assignment.rejections);
      const { namespace, name } = splitKey(key);
      if (!jsonEqual(assignment.spec, service.spec ?? {})) {
        await ignoreNotFound(
          client.update(R.services, namespace, { ...cloneJson(service), spec: assignment.spec }),
        );
      }
      const ingress = assignment.ingress;
      if (ingress !== undefined && !jsonEqual(ingress, service.status?.loadBalancer?.ingress ?? [])) {
        const loadBalancer = ingress.length > 0 ? { ingress } : { ingress: null };
        const patch = { status: { loadBalancer } };
        await ignoreNotFound(
          client.patch(R.services, namespace, name, "merge", patch, { subresource: "status" }),
        );
      }
    } finally {
      // Something was freed: requests refused earlier may fit now.
      if (this.#allocations.releases !== releasesBefore) {
        for (const waiting of this.#rejected.keys()) if (waiting !== key) this.#controller?.enqueue(waiting);
      }
    }
  }

  #report(key: string, service: Service, rejections: Array<{ reason: string; message: string }>): void {
    if (rejections.length === 0) {
      this.#rejected.delete(key);
      return;
    }
    const summary = rejections.map((r) => `${r.reason}: ${r.message}`).join("\n");
    if (this.#rejected.get(key) === summary) return;
    this.#rejected.set(key, summary);
    const subject = { ...service, apiVersion: "v1", kind: "Service" };
    for (const rejection of rejections) {
      this.#options.events.event(subject, "Warning", rejection.reason, rejection.message);
    }
  }
}

/** What other Services name (cluster IPs, node ports, load-balancer IPs) whether or not it is allocated yet. */
function requestedBy(services: Service[], except: string): Requested {
  const requested: Requested = { ips: new Set(), nodePorts: new Set() };
  for (const service of services) {
    if (serviceKey(service.metadata.namespace ?? "", service.metadata.name ?? "") === except) continue;
    const spec = service.spec ?? {};
    const ips = [spec.clusterIP, ...(spec.clusterIPs ?? []), ...requestedLoadBalancerIPs(service)];
    for (const ip of ips) {
      const value = safeIp(ip);
      if (value !== undefined) requested.ips.add(value);
    }
    for (const port of spec.ports ?? []) if (port.nodePort) requested.nodePorts.add(port.nodePort);
  }
  return requested;
}

function safeIp(text: string | undefined): number | undefined {
  if (!text) return undefined;
  try {
    const value = ipToNumber(text);
    return numberToIp(value) === text ? value : undefined;
  } catch {
    return undefined;
  }
}
