import { ipToNumber, numberToIp } from "./address-plan.ts";
import type { Claim } from "./node-port-allocation.ts";
import { isIPv4, type LoadBalancerIngress, type Service } from "./objects.ts";
import type { RangeAllocator } from "./range-allocator.ts";
import { ANNOTATION_METALLB_IPS } from "./well-known.ts";

/**
 * MetalLB's controller for one Service: a LoadBalancer without a
 * `loadBalancerClass` gets the IPs it asks for (all of them, each in a pool
 * and free, or none) or keeps the one it has or gets the lowest free one;
 * anything else gives its IPs back. Returns the IPs held now and the
 * `status.loadBalancer.ingress` to write (`[]` clears it; undefined leaves it
 * to the implementation the Service's class names).
 */
export function assignLoadBalancerIPs(
  pools: RangeAllocator,
  service: Service,
  claim: Claim<readonly number[]>,
): { ips: number[]; ingress: LoadBalancerIngress[] | undefined } {
  const { key, held, avoid, out } = claim;
  const keepOnly = (keep: number[]) => {
    for (const ip of held) if (!keep.includes(ip)) pools.release(ip, key);
    return keep;
  };
  if ((service.spec?.type ?? "ClusterIP") !== "LoadBalancer") return { ips: keepOnly([]), ingress: [] };
  if (service.spec?.loadBalancerClass) return { ips: keepOnly([]), ingress: undefined };
  const asked = requestedLoadBalancerIPs(service);
  let next: number[] = [];
  if (asked.length === 0) {
    const value = held[0] ?? pools.allocate(key, (ip) => avoid.has(ip));
    if (value === undefined) out.push({ reason: "AllocationFailed", message: "no available IPs" });
    else next = [value];
  } else {
    for (const text of asked) {
      const value = isIPv4(text) ? ipToNumber(text) : undefined;
      const result = value === undefined ? "out-of-range" : pools.claim(value, key);
      if (value !== undefined && (result === "claimed" || result === "held")) {
        next.push(value);
        continue;
      }
      const why = result === "taken" ? `already in use by ${pools.ownerOf(value ?? 0)}` : "not in any pool";
      out.push({
        reason: "AllocationFailed",
        message: `Failed to allocate IP for "${key}": ${text} is ${why}`,
      });
    }
    if (next.length !== asked.length) {
      for (const value of next) if (!held.includes(value)) pools.release(value, key);
      next = [];
    }
  }
  return { ips: keepOnly(next), ingress: next.map((ip) => ({ ip: numberToIp(ip), ipMode: "VIP" })) };
}

/** The load-balancer IPs a Service asks for: MetalLB's annotation first, then `spec.loadBalancerIP`. */
export function requestedLoadBalancerIPs(service: Service): string[] {
  const annotation = service.metadata.annotations?.[ANNOTATION_METALLB_IPS];
  if (annotation) {
    return annotation
      .split(",")
      .map((ip) => ip.trim())
      .filter((ip) => ip !== "");
  }
  return service.spec?.loadBalancerIP ? [service.spec.loadBalancerIP] : [];
}
