import type { Random } from "@atoll/kube";
import { cloneJson } from "@atoll/kube";
import { ipToNumber, numberToIp } from "./address-plan.ts";
import { assignLoadBalancerIPs } from "./load-balancer-allocation.ts";
import { assignNodePorts, needsNodePorts, portId } from "./node-port-allocation.ts";
import {
  type LoadBalancerIngress,
  type Service,
  type ServiceSpec,
  serviceKey,
  serviceType,
} from "./objects.ts";
import { RangeAllocator, rangeOffset } from "./range-allocator.ts";
import { CLUSTER_IP_NONE } from "./well-known.ts";

/** Why part of a Service could not be allocated; becomes a Warning Event on it. */
export type Rejection = { reason: string; message: string };

/** What a Service should look like once allocated. */
export type Assignment = {
  /** The Service's spec with cluster IP, IP families and node ports filled in (or cleared). */
  spec: ServiceSpec;
  /** `status.loadBalancer.ingress` to write; undefined leaves it to another load-balancer implementation. */
  ingress: LoadBalancerIngress[] | undefined;
  rejections: Rejection[];
};

/** Values other Services ask for but may not have been allocated yet: dynamic allocation avoids them. */
export type Requested = { ips: Set<number>; nodePorts: Set<number> };

type Held = { uid: string | undefined; clusterIP?: number; nodePorts: Map<string, number>; lbIPs: number[] };

export type ServiceAllocationsOptions = {
  /** The member's service CIDR; its first (network) and last (broadcast) addresses are never handed out. */
  serviceRange: readonly [number, number];
  /** Load-balancer pools, in preference order. */
  loadBalancerPools: ReadonlyArray<readonly [number, number]>;
  nodePortRange: readonly [number, number];
  random: Random;
};

/**
 * The allocation table of one member: cluster IPs, node ports and
 * load-balancer IPs, each held by a Service key. Pure bookkeeping, driven by
 * the service allocator controller.
 */
export class ServiceAllocations {
  #ips: RangeAllocator;
  #ports: RangeAllocator;
  #pools: RangeAllocator;
  #held = new Map<string, Held>();
  #ipRange: string;

  constructor(options: ServiceAllocationsOptions) {
    const [first, last] = options.serviceRange;
    const ipSize = last - first - 1;
    this.#ips = new RangeAllocator([[first + 1, last - 1]], {
      kind: "random-offset",
      offset: rangeOffset(ipSize, { min: 16, max: 256, step: 16 }),
      random: options.random,
    });
    const [low, high] = options.nodePortRange;
    this.#ports = new RangeAllocator([options.nodePortRange], {
      kind: "random-offset",
      offset: rangeOffset(high - low + 1, { min: 16, max: 128, step: 32 }),
      random: options.random,
    });
    this.#pools = new RangeAllocator(options.loadBalancerPools, { kind: "lowest-first" });
    this.#ipRange = `${numberToIp(first)}-${numberToIp(last)}`;
  }

  /** Re-claims what existing Services hold, oldest first, so the oldest keeps a value claimed twice. */
  rebuild(services: Service[]): void {
    const ordered = [...services].sort(
      (a, b) =>
        (a.metadata.creationTimestamp ?? "").localeCompare(b.metadata.creationTimestamp ?? "") ||
        keyOf(a).localeCompare(keyOf(b)),
    );
    for (const service of ordered) {
      const key = keyOf(service);
      const held = this.#entry(key, service.metadata.uid);
      const spec = service.spec ?? {};
      const type = serviceType(service);
      const ip = parseIp(spec.clusterIP);
      if (type !== "ExternalName" && ip !== undefined && this.#ips.claim(ip, key) === "claimed")
        held.clusterIP = ip;
      if (needsNodePorts(spec, type)) {
        for (const port of spec.ports ?? []) {
          const claim = port.nodePort ? this.#ports.claim(port.nodePort, key) : "out-of-range";
          if (claim === "claimed" || claim === "held") held.nodePorts.set(portId(port), port.nodePort ?? 0);
        }
      }
      if (type === "LoadBalancer" && !spec.loadBalancerClass) {
        for (const ingress of service.status?.loadBalancer?.ingress ?? []) {
          const value = parseIp(ingress.ip);
          if (value !== undefined && this.#pools.claim(value, key) === "claimed") held.lbIPs.push(value);
        }
      }
    }
  }

  /** Allocates what `service` needs, keeping what it already holds, and frees what it no longer needs. */
  assign(service: Service, requested: Requested): Assignment {
    const key = keyOf(service);
    const held = this.#entry(key, service.metadata.uid);
    const spec: ServiceSpec = cloneJson(service.spec ?? {});
    const type = serviceType(service);
    const rejections: Rejection[] = [];
    this.#assignClusterIP(key, held, spec, type, requested, rejections);
    held.nodePorts = assignNodePorts(this.#ports, spec, type, {
      key,
      held: held.nodePorts,
      avoid: requested.nodePorts,
      out: rejections,
    });
    const { ips, ingress } = assignLoadBalancerIPs(this.#pools, service, {
      key,
      held: held.lbIPs,
      avoid: requested.ips,
      out: rejections,
    });
    held.lbIPs = ips;
    return { spec, ingress, rejections };
  }

  /** Frees everything `key` holds; true if it held anything. */
  release(key: string): boolean {
    const held = this.#held.get(key);
    if (!held) return false;
    this.#held.delete(key);
    if (held.clusterIP !== undefined) this.#ips.release(held.clusterIP, key);
    for (const port of held.nodePorts.values()) this.#ports.release(port, key);
    for (const ip of held.lbIPs) this.#pools.release(ip, key);
    return held.clusterIP !== undefined || held.nodePorts.size > 0 || held.lbIPs.length > 0;
  }

  /** How many values have been freed so far: when it moves, a rejected request may now succeed. */
  get releases(): number {
    return this.#ips.releases + this.#ports.releases + this.#pools.releases;
  }

  /** The Service key holding a cluster IP, node port or load-balancer IP. */
  holderOf(
    value: { clusterIP: string } | { nodePort: number } | { loadBalancerIP: string },
  ): string | undefined {
    if ("nodePort" in value) return this.#ports.ownerOf(value.nodePort);
    if ("clusterIP" in value) return this.#ips.ownerOf(ipToNumber(value.clusterIP));
    return this.#pools.ownerOf(ipToNumber(value.loadBalancerIP));
  }

  #entry(key: string, uid: string | undefined): Held {
    const existing = this.#held.get(key);
    if (existing && existing.uid === uid) return existing;
    // A Service deleted and re-created under the same name holds nothing of its predecessor.
    if (existing) this.release(key);
    const fresh: Held = { uid, nodePorts: new Map(), lbIPs: [] };
    this.#held.set(key, fresh);
    return fresh;
  }

  #assignClusterIP(
    key: string,
    held: Held,
    spec: ServiceSpec,
    type: string,
    requested: Requested,
    out: Rejection[],
  ) {
    const before = held.clusterIP;
    const release = () => {
      if (held.clusterIP !== undefined) this.#ips.release(held.clusterIP, key);
      held.clusterIP = undefined;
    };
    if (type === "ExternalName") {
      // Switching to ExternalName drops the allocated IP and what came with it, as kube-apiserver does.
      if (before !== undefined && parseIp(spec.clusterIP) === before) {
        for (const field of ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"] as const)
          delete spec[field];
      }
      release();
      return;
    }
    spec.ipFamilies ??= ["IPv4"];
    spec.ipFamilyPolicy ??= "SingleStack";
    const asked = spec.clusterIP || spec.clusterIPs?.[0] || "";
    if (asked === CLUSTER_IP_NONE) {
      release();
      spec.clusterIP = CLUSTER_IP_NONE;
      spec.clusterIPs = [CLUSTER_IP_NONE];
      return;
    }
    let value: number | undefined;
    if (asked === "") {
      value = before ?? this.#ips.allocate(key, (ip) => requested.ips.has(ip));
      if (value === undefined)
        out.push({ reason: "ClusterIPRangeFull", message: `range ${this.#ipRange} is full` });
    } else {
      value = parseIp(asked);
      const claim = value === undefined ? "out-of-range" : this.#ips.claim(value, key);
      if (claim === "taken") {
        out.push({
          reason: "ClusterIPAlreadyAllocated",
          message: `spec.clusterIPs: Invalid value: ["${asked}"]: failed to allocate IP ${asked}: provided IP is already allocated`,
        });
        value = undefined;
      } else if (claim === "out-of-range") {
        out.push({
          reason: "ClusterIPOutOfRange",
          message: `spec.clusterIPs: Invalid value: ["${asked}"]: failed to allocate IP ${asked}: the provided IP (${asked}) is not in the valid range. The range of valid IPs is ${this.#ipRange}`,
        });
        value = undefined;
      }
    }
    if (before !== undefined && before !== value) this.#ips.release(before, key);
    held.clusterIP = value;
    if (value !== undefined) {
      spec.clusterIP = numberToIp(value);
      spec.clusterIPs = [spec.clusterIP];
    }
  }
}

function keyOf(service: Service): string {
  return serviceKey(service.metadata.namespace ?? "", service.metadata.name ?? "");
}

function parseIp(text: string | undefined): number | undefined {
  if (!text || text === CLUSTER_IP_NONE) return undefined;
  try {
    return ipToNumber(text);
  } catch {
    return undefined;
  }
}
