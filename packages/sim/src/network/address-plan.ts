/**
 * How a simulated member's loopback range is carved up. Member N (1…200) owns
 * 127.N.0.0/16, so members never overlap (as Cilium ClusterMesh requires) and
 * traffic between "clusters" really crosses sockets:
 *
 * | range                    | use                                    |
 * |--------------------------|----------------------------------------|
 * | 127.N.0.1                | the member's API server                |
 * | 127.N.0.10 – 127.N.0.250 | node addresses (InternalIP)            |
 * | 127.N.1.0 – 127.N.127.255| pod IPs                                |
 * | 127.N.128.0/18           | service cluster IPs                    |
 * | 127.N.192.0/18           | default load-balancer pool (MetalLB-like) |
 */
export type AddressPlan = {
  memberId: number;
  apiServer: string;
  nodeIp(index: number): string;
  /** The pod range as [first, last] 32-bit addresses. */
  podRange: readonly [number, number];
  serviceRange: readonly [number, number];
  loadBalancerRange: readonly [number, number];
};

export const MAX_MEMBER_ID = 200;

export function addressPlan(memberId: number): AddressPlan {
  if (!Number.isInteger(memberId) || memberId < 1 || memberId > MAX_MEMBER_ID) {
    throw new Error(`member id must be an integer from 1 to ${MAX_MEMBER_ID}, got ${memberId}`);
  }
  const base = ipToNumber(`127.${memberId}.0.0`);
  return {
    memberId,
    apiServer: `127.${memberId}.0.1`,
    nodeIp(index: number) {
      if (index < 0 || index > 240) throw new Error(`node index ${index} out of range`);
      return `127.${memberId}.0.${10 + index}`;
    },
    podRange: [base + (1 << 8), base + (128 << 8) - 1],
    serviceRange: [base + (128 << 8), base + (192 << 8) - 1],
    loadBalancerRange: [base + (192 << 8), base + (256 << 8) - 2],
  };
}

export function ipToNumber(ip: string): number {
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`not an IPv4 address: ${ip}`);
  }
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

export function numberToIp(value: number): string {
  return [(value >>> 24) & 255, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
}

/** Parses "127.1.192.0-127.1.192.255" or a CIDR "127.1.192.0/24" into an inclusive range. */
export function parseRange(text: string): readonly [number, number] {
  if (text.includes("/")) {
    const [ip, bits] = text.split("/");
    const prefix = Number(bits);
    if (!Number.isInteger(prefix) || prefix < 8 || prefix > 32) throw new Error(`bad CIDR ${text}`);
    const start = ipToNumber(ip) & (prefix === 32 ? 0xffffffff : ~((1 << (32 - prefix)) - 1));
    return [start >>> 0, (start >>> 0) + 2 ** (32 - prefix) - 1];
  }
  const [from, to] = text.split("-").map((s) => s.trim());
  if (!to) throw new Error(`bad range ${text}: expected FROM-TO or a CIDR`);
  const range = [ipToNumber(from), ipToNumber(to)] as const;
  if (range[0] > range[1]) throw new Error(`bad range ${text}: start after end`);
  return range;
}
