import { createServer, type Server, type Socket } from "node:net";
import { type Clock, Controller, type Informer, type Runnable } from "@atoll/kube";
import { type AddressPlan, ipToNumber } from "./address-plan.ts";
import { BackendPicker } from "./backend-picker.ts";
import type { EndpointSource } from "./endpoint-source.ts";
import {
  hasClusterIP,
  isIPv4,
  protocolOf,
  type Service,
  type ServicePort,
  serviceKey,
  serviceType,
} from "./objects.ts";
import { relay } from "./tcp-relay.ts";
import { DEFAULT_AFFINITY_TIMEOUT_SECONDS } from "./well-known.ts";

export type ServiceProxyOptions = {
  services: Informer;
  source: EndpointSource;
  plan: AddressPlan;
  /** The member's node addresses: NodePort traffic is accepted on each. */
  nodeIps: readonly string[];
  clock: Clock;
  onError?: (controller: string, key: string, error: unknown) => void;
};

/** Which Service port a listening address serves. */
type Target = { service: Service; port: ServicePort; portKey: string; affinitySeconds?: number };
type Listener = { server: Server; target: Target };

const SYNC_KEY = "listeners";

/**
 * A userspace kube-proxy for one member. For every TCP port of every Service
 * it listens on clusterIP:port, on each node IP at the node port (NodePort and
 * LoadBalancer Services) and on each load-balancer ingress IP at the port, and
 * relays every accepted connection to a backend the {@link EndpointSource}
 * gives (round-robin, or sticky per client address with `sessionAffinity:
 * ClientIP`). Backends are read per connection, so endpoint changes apply to
 * the next connection; established connections are left alone, as conntrack
 * leaves them. A connection with no backend is reset at once. Listeners close
 * when their Service goes or stops asking for them.
 *
 * Only cluster IPs inside the member's service range and loopback addresses
 * are served. When two Services claim one address and port, the older one
 * gets it. UDP and SCTP ports, externalIPs, and the `Local` traffic policies
 * (node-local endpoints only) are not proxied. Ports below
 * `net.ipv4.ip_unprivileged_port_start` need privileges; a listener that
 * cannot bind is reported through `onError` and retried with back-off.
 */
export class ServiceProxy implements Runnable {
  static readonly NAME = "service-proxy";
  #options: ServiceProxyOptions;
  #listeners = new Map<string, Listener>();
  #sockets = new Set<Socket>();
  #picker: BackendPicker;
  #controller: Controller | undefined;
  #running = false;

  constructor(options: ServiceProxyOptions) {
    this.#options = options;
    this.#picker = new BackendPicker(options.clock);
  }

  start(): void {
    this.#running = true;
    this.#controller = new Controller({
      name: ServiceProxy.NAME,
      reconcile: async () => {
        await this.#sync();
        return undefined;
      },
      onError: this.#options.onError,
    }).watches(this.#options.services, () => [SYNC_KEY]);
    this.#controller.enqueue(SYNC_KEY);
  }

  /** Closes every listener and every proxied connection. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#controller?.stop();
    this.#controller = undefined;
    const closing = [...this.#listeners.values()].map(({ server }) => closeServer(server));
    this.#listeners.clear();
    for (const socket of this.#sockets) socket.destroy();
    await Promise.all(closing);
  }

  /** The `ip:port` addresses listened on now, for diagnostics and tests. */
  get addresses(): string[] {
    return [...this.#listeners.keys()];
  }

  async #sync(): Promise<void> {
    const desired = this.#desired();
    for (const [address, listener] of this.#listeners) {
      if (desired.has(address)) continue;
      this.#listeners.delete(address);
      void closeServer(listener.server);
    }
    const failures: unknown[] = [];
    for (const [address, target] of desired) {
      const listener = this.#listeners.get(address);
      if (listener) listener.target = target;
      else {
        try {
          await this.#listen(address, target);
        } catch (error) {
          failures.push(new Error(`failed to listen on ${address} for ${target.portKey}`, { cause: error }));
        }
      }
    }
    this.#picker.retain(new Set([...desired.values()].map((t) => t.portKey)));
    if (failures.length > 0) throw new AggregateError(failures, `${failures.length} listener(s) failed`);
  }

  /** Every address to listen on, and what it serves; older Services first, so they win a contested address. */
  #desired(): Map<string, Target> {
    const { plan, nodeIps } = this.#options;
    const desired = new Map<string, Target>();
    const claim = (ip: string | undefined, port: number | undefined, target: Target) => {
      if (!ip || !port || !isIPv4(ip) || !ip.startsWith("127.")) return;
      const address = `${ip}:${port}`;
      if (!desired.has(address)) desired.set(address, target);
    };
    for (const service of oldestFirst(this.#options.services.list() as Service[])) {
      const type = serviceType(service);
      if (type === "ExternalName") continue;
      const clusterIP = hasClusterIP(service) ? service.spec?.clusterIP : undefined;
      const inRange =
        clusterIP !== undefined && isIPv4(clusterIP) && within(ipToNumber(clusterIP), plan.serviceRange);
      const ingress = type === "LoadBalancer" ? (service.status?.loadBalancer?.ingress ?? []) : [];
      for (const port of service.spec?.ports ?? []) {
        if (protocolOf(port) !== "TCP") continue;
        const target = targetOf(service, port);
        if (inRange) claim(clusterIP, port.port, target);
        if (type === "NodePort" || type === "LoadBalancer")
          for (const ip of nodeIps) claim(ip, port.nodePort, target);
        for (const entry of ingress) claim(entry.ip, port.port, target);
      }
    }
    return desired;
  }

  async #listen(address: string, target: Target): Promise<void> {
    const colon = address.lastIndexOf(":");
    const server = createServer({ pauseOnConnect: true, allowHalfOpen: true }, (socket) =>
      this.#accept(address, socket),
    );
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(Number(address.slice(colon + 1)), address.slice(0, colon), () => {
        server.off("error", reject);
        resolve();
      });
    });
    if (!this.#running) {
      // Stopped while binding.
      void closeServer(server);
      return;
    }
    server.on("error", (error) => this.#options.onError?.(ServiceProxy.NAME, address, error));
    this.#listeners.set(address, { server, target });
  }

  #accept(address: string, client: Socket): void {
    const target = this.#listeners.get(address)?.target;
    if (!target) {
      client.resetAndDestroy();
      return;
    }
    const clientIp = client.remoteAddress ?? "";
    relay(client, {
      sockets: this.#sockets,
      pick: (tried) =>
        this.#picker.pick({
          portKey: target.portKey,
          backends: this.#options.source.backends(target.service, target.port),
          clientIp,
          affinitySeconds: target.affinitySeconds,
          exclude: tried,
        }),
    });
  }
}

function targetOf(service: Service, port: ServicePort): Target {
  const key = serviceKey(service.metadata.namespace ?? "", service.metadata.name ?? "");
  const affinity = service.spec?.sessionAffinity === "ClientIP";
  const timeout =
    service.spec?.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS;
  return {
    service,
    port,
    portKey: `${key}:${port.name ?? ""}/${protocolOf(port)}`,
    affinitySeconds: affinity ? timeout : undefined,
  };
}

function oldestFirst(services: Service[]): Service[] {
  const key = (s: Service) =>
    `${s.metadata.creationTimestamp ?? ""} ${s.metadata.namespace}/${s.metadata.name}`;
  return [...services].sort((a, b) => key(a).localeCompare(key(b)));
}

function within(value: number, [first, last]: readonly [number, number]): boolean {
  return value > first && value < last;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
