import type { ServiceSpec } from "./objects.ts";
import type { RangeAllocator } from "./range-allocator.ts";
import type { Rejection } from "./service-allocations.ts";

/** One Service's claim on a range: its key, what it holds, values others ask for, where refusals go. */
export type Claim<Held> = { key: string; held: Held; avoid: ReadonlySet<number>; out: Rejection[] };

/**
 * Node ports as kube-apiserver allocates them: a requested `nodePort` is
 * claimed (refused when taken or out of range), a missing one is the one the
 * port already held, or the one another protocol of the same port number got,
 * or a fresh one. Leaving NodePort/LoadBalancer clears the node ports this
 * allocator gave. Fills `spec` in place; returns what the Service holds now,
 * by {@link portId}, having released the rest.
 */
export function assignNodePorts(
  ports: RangeAllocator,
  spec: ServiceSpec,
  type: string,
  claim: Claim<ReadonlyMap<string, number>>,
): Map<string, number> {
  const { key, held, avoid, out } = claim;
  const ours = new Set(held.values());
  const next = new Map<string, number>();
  const byPortNumber = new Map<number, number>();
  const wanted = needsNodePorts(spec, type);
  const [low, high] = ports.ranges[0];
  for (const [i, port] of (spec.ports ?? []).entries()) {
    if (!wanted) {
      if (port.nodePort !== undefined && ours.has(port.nodePort)) delete port.nodePort;
      continue;
    }
    let value: number | undefined = port.nodePort || undefined;
    if (value !== undefined) {
      const result = [...next.values()].includes(value) ? "held" : ports.claim(value, key);
      if (result === "taken" || result === "out-of-range") {
        const why =
          result === "taken"
            ? "provided port is already allocated"
            : `provided port is not in the valid range. The range of valid ports is ${low}-${high}`;
        out.push({
          reason: result === "taken" ? "PortAlreadyAllocated" : "PortOutOfRange",
          message: `spec.ports[${i}].nodePort: Invalid value: ${value}: ${why}`,
        });
        continue;
      }
    } else {
      value =
        byPortNumber.get(port.port) ?? held.get(portId(port)) ?? ports.allocate(key, (p) => avoid.has(p));
      if (value === undefined) {
        out.push({ reason: "PortRangeFull", message: `range ${low}-${high} is full` });
        continue;
      }
      port.nodePort = value;
    }
    next.set(portId(port), value);
    byPortNumber.set(port.port, value);
  }
  const kept = new Set(next.values());
  for (const value of ours) if (!kept.has(value)) ports.release(value, key);
  return next;
}

/** NodePort Services, and LoadBalancers unless `allocateLoadBalancerNodePorts: false`, get node ports. */
export function needsNodePorts(spec: ServiceSpec, type: string): boolean {
  return type === "NodePort" || (type === "LoadBalancer" && spec.allocateLoadBalancerNodePorts !== false);
}

/** A Service port's identity for node ports: number and protocol. */
export function portId(port: { port: number; protocol?: string }): string {
  return `${port.port}/${port.protocol ?? "TCP"}`;
}
