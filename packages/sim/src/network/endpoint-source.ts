import type { Informer } from "@atoll/kube";
import { ipToNumber } from "./address-plan.ts";
import { type EndpointSlice, isIPv4, protocolOf, type Service, type ServicePort } from "./objects.ts";
import { LABEL_SERVICE_NAME } from "./well-known.ts";

/** Where one proxied connection may go. */
export type Backend = { ip: string; port: number };

/**
 * The proxy's view of where a Service port's traffic may go. The seam for
 * global services: a mesh wraps the local source and, for Services annotated
 * `service.cilium.io/global: "true"`, adds the same-named Service's backends
 * in the other meshed members.
 */
export interface EndpointSource {
  /**
   * Backends that may take a new connection to `port` of `service` now. Called
   * once per accepted connection, so it reads caches, never the network; an
   * empty list makes the proxy refuse the connection.
   */
  backends(service: Service, port: ServicePort): Backend[];
}

/**
 * This member's backends, from its EndpointSlices as kube-proxy reads them:
 * slices labelled with the Service's name, the slice port with the Service
 * port's name and protocol, endpoints whose `ready` is not false — or, when
 * none is ready, those still `serving` while `terminating` (kube-proxy's
 * terminating-endpoint fallback). Addresses are de-duplicated across slices
 * and ordered, so round-robin is stable.
 */
export class LocalEndpointSource implements EndpointSource {
  #slices: Informer;

  constructor(endpointSlices: Informer) {
    this.#slices = endpointSlices;
  }

  backends(service: Service, port: ServicePort): Backend[] {
    const name = service.metadata.name;
    const portName = port.name ?? "";
    const protocol = protocolOf(port);
    const ready = new Map<string, Backend>();
    const terminating = new Map<string, Backend>();
    for (const slice of this.#slices.list(service.metadata.namespace) as EndpointSlice[]) {
      if (slice.metadata.labels?.[LABEL_SERVICE_NAME] !== name || slice.addressType !== "IPv4") continue;
      const slicePort = slice.ports?.find((p) => (p.name ?? "") === portName && protocolOf(p) === protocol);
      if (!slicePort) continue;
      for (const endpoint of slice.endpoints ?? []) {
        const conditions = endpoint.conditions ?? {};
        const isReady = conditions.ready !== false;
        const fallback = !isReady && (conditions.serving ?? isReady) && conditions.terminating === true;
        if (!isReady && !fallback) continue;
        for (const ip of endpoint.addresses.filter(isIPv4)) {
          const backend = { ip, port: slicePort.port };
          (isReady ? ready : terminating).set(`${ip}:${slicePort.port}`, backend);
        }
      }
    }
    return [...(ready.size > 0 ? ready : terminating).values()].sort(byAddress);
  }
}

function byAddress(a: Backend, b: Backend): number {
  return ipToNumber(a.ip) - ipToNumber(b.ip) || a.port - b.port;
}
