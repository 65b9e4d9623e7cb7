import { createServer, type Server, type Socket } from "node:net";
import { type Clock, Controller, type Informer, type Runnable } from "@atoll/kube";
import { type AddressPlan, ipToNumber } from "./address-plan.ts";
import { BackendPicker } from "./backend-picker.ts";
import type { Backend, EndpointSource } from "./endpoint-source.ts";
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

/** How traffic reached the proxy: a cluster IP, a node port, or a load-balancer ingress IP. */
export type ProxyEntry = "ClusterIP" | "NodePort" | "LoadBalancer";

/** An established connection the proxy relays. */
export type ProxiedConnection = { entry: ProxyEntry; backend: Backend };

/** Which Service port a listening address serves, and through which entry. */
type Target = {
  service: Service;
  port: ServicePort;
  portKey: string;
  affinitySeconds?: number;
  entry: ProxyEntry;
};
type Listener = { server: Server; target: Target };
type Relayed = ProxiedConnection & { reset(): void };

const SYNC_KEY = "listeners";

/**
 * A userspace kube-proxy for one member. For every TCP port of every Service
 * it listens on clusterIP:port, on each node IP at the node port (NodePort and
 * LoadBalancer Services) and on each load-balancer ingress IP at the port, and
 * relays every accepted connection to a backend the {@link EndpointSource}
 * gives (round-robin, or sticky per client address with `sessionAffinity:
 * ClientIP`). Backends are read per connection, so endpoint changes apply to
 * the next connection; established connections are left alone, as conntrack
 * leaves them, unless {@link resetConnections} or {@link isolate} cuts them.
 * A connection with no backend is reset at once. Listeners close
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
  #relayed = new Set<Relayed>();
  #reaches: ((backend: Backend) => boolean) | undefined;
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

  /**
   * Resets (RST on both sides) every established connection `match` selects,
   * e.g. those to a mesh peer whose endpoints were withdrawn. Returns how many.
   */
  resetConnections(match: (connection: ProxiedConnection) => boolean): number {
    let count = 0;
    for (const connection of [...this.#relayed]) {
      if (!match(connection)) continue;
      this.#relayed.delete(connection);
      connection.reset();
      count++;
    }
    return count;
  }

  /**
   * Cuts the member off (a network partition), until called again with
   * undefined: new connections go only to backends `reaches` accepts, node
   * ports and load-balancer IPs refuse every connection (on the shared
   * loopback a client's address does not tell which member it is in), and
   * established connections breaking either rule are reset. Returns how many
   * were reset.
   */
  isolate(reaches: ((backend: Backend) => boolean) | undefined): number {
    this.#reaches = reaches;
    if (!reaches) return 0;
    return this.resetConnections((c) => c.entry !== "ClusterIP" || !reaches(c.backend));
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
    const claim = (ip: string | undefined, port: number | undefined, target: Target, entry: ProxyEntry) => {
      if (!ip || !port || !isIPv4(ip) || !ip.startsWith("127.")) return;
      const address = `${ip}:${port}`;
      if (!desired.has(address)) desired.set(address, { ...target, entry });
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
        if (inRange) claim(clusterIP, port.port, target, "ClusterIP");
        if (type === "NodePort" || type === "LoadBalancer")
          for (const ip of nodeIps) claim(ip, port.nodePort, target, "NodePort");
        for (const entry of ingress) claim(entry.ip, port.port, target, "LoadBalancer");
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
    const reaches = this.#reaches;
    if (!target || (reaches && target.entry !== "ClusterIP")) {
      client.resetAndDestroy();
      return;
    }
    const clientIp = client.remoteAddress ?? "";
    relay(client, {
      sockets: this.#sockets,
      pick: (tried) => {
        const backends = this.#options.source.backends(target.service, target.port);
        return this.#picker.pick({
          portKey: target.portKey,
          backends: reaches ? backends.filter(reaches) : backends,
          clientIp,
          affinitySeconds: target.affinitySeconds,
          exclude: tried,
        });
      },
      onSpliced: (backend, upstream) => {
        const relayed: Relayed = {
          entry: target.entry,
          backend,
          reset: () => {
            client.resetAndDestroy();
            upstream.resetAndDestroy();
          },
        };
        // Isolated while this connection was being made.
        const now = this.#reaches;
        if (now && !now(backend)) {
          relayed.reset();
          return;
        }
        this.#relayed.add(relayed);
        client.once("close", () => this.#relayed.delete(relayed));
      },
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
    entry: "ClusterIP",
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
