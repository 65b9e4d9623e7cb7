import { type Clock, Informer, type KubeClient, R, type Random, type Runnable } from "@atoll/kube";
import { ApiEventRecorder, type EventRecorder } from "../events/recorder.ts";
import type { AddressPlan } from "./address-plan.ts";
import { type EndpointSource, LocalEndpointSource } from "./endpoint-source.ts";
import { EndpointsController } from "./endpoints-controller.ts";
import { EndpointSliceController } from "./endpointslice-controller.ts";
import { EndpointSliceMirroring } from "./endpointslice-mirroring.ts";
import { ServiceProxy } from "./proxy.ts";
import { ServiceAllocator } from "./service-allocator.ts";

/** The informers the service machinery reads. Ones passed in are started and stopped by their owner. */
export type NetworkInformers = {
  services: Informer;
  pods: Informer;
  endpoints: Informer;
  endpointSlices: Informer;
};

export type NetworkingOptions = {
  /** The member's API, as the controllers write it. */
  client: KubeClient;
  /** Shared informers to reuse; missing ones are created, started and stopped here. */
  informers?: Partial<NetworkInformers>;
  plan: AddressPlan;
  /** MetalLB-like pools ("FROM-TO" or CIDR). Default: the plan's load-balancer range. */
  loadBalancerPools?: string[];
  /** Node addresses: NodePort traffic is accepted on each. */
  nodeIps: readonly string[];
  clock: Clock;
  /** Draws for dynamic cluster IPs and node ports. Default: Math.random. */
  random?: Random;
  /** Where allocation failures are reported. Default: Events written through `client`. */
  events?: EventRecorder;
  /**
   * Wraps the member's own endpoint source, e.g. with a mesh's remote
   * backends for global Services. Default: the local source as is.
   */
  endpointSource?: (local: EndpointSource) => EndpointSource;
  /** Reconcile and listener failures, by controller and key; each is retried. */
  onError: (controller: string, key: string, error: unknown) => void;
};

/** The running service machinery of one member, and its pieces. */
export type Networking = Runnable & {
  readonly informers: NetworkInformers;
  readonly allocator: ServiceAllocator;
  readonly endpoints: EndpointsController;
  readonly endpointSlices: EndpointSliceController;
  readonly mirroring: EndpointSliceMirroring;
  readonly proxy: ServiceProxy;
  /** What the proxy forwards to (the wrapped source when `endpointSource` is given). */
  readonly endpointSource: EndpointSource;
};

/**
 * Services for one simulated member, as a real cluster runs them: the
 * allocator (cluster IPs, node ports, load-balancer IPs), the endpoints,
 * EndpointSlice and EndpointSlice mirroring controllers, and the userspace proxy. `start()` resolves once
 * the informers have synced; `stop()` stops the controllers, closes every
 * listener and proxied connection, and stops the informers it created.
 */
export function createNetworking(options: NetworkingOptions): Networking {
  const { client, onError } = options;
  const given = options.informers ?? {};
  const owned: Informer[] = [];
  const informer = (resource: (typeof R)[keyof typeof R], existing: Informer | undefined) => {
    if (existing) return existing;
    const created = new Informer(client, resource);
    owned.push(created);
    return created;
  };
  const informers: NetworkInformers = {
    services: informer(R.services, given.services),
    pods: informer(R.pods, given.pods),
    endpoints: informer(R.endpoints, given.endpoints),
    endpointSlices: informer(R.endpointslices, given.endpointSlices),
  };
  const local = new LocalEndpointSource(informers.endpointSlices);
  const endpointSource = options.endpointSource ? options.endpointSource(local) : local;
  const events =
    options.events ??
    new ApiEventRecorder({ client, component: ServiceAllocator.NAME, clock: options.clock });
  const allocator = new ServiceAllocator({
    client,
    services: informers.services,
    plan: options.plan,
    loadBalancerPools: options.loadBalancerPools,
    random: options.random,
    events,
    onError,
  });
  const endpoints = new EndpointsController({ client, ...informers, onError });
  const endpointSlices = new EndpointSliceController({ client, ...informers, onError });
  const mirroring = new EndpointSliceMirroring({ client, ...informers, onError });
  const proxy = new ServiceProxy({
    services: informers.services,
    source: endpointSource,
    plan: options.plan,
    nodeIps: options.nodeIps,
    clock: options.clock,
    onError,
  });
  const controllers: Runnable[] = [allocator, endpoints, endpointSlices, mirroring, proxy];
  return {
    informers,
    allocator,
    endpoints,
    endpointSlices,
    mirroring,
    proxy,
    endpointSource,
    async start() {
      for (const controller of controllers) await controller.start();
      for (const created of owned) created.start();
      await Promise.all(Object.values(informers).map((i) => i.synced()));
    },
    async stop() {
      for (const controller of [...controllers].reverse()) await controller.stop();
      for (const created of owned) created.stop();
    },
  };
}
