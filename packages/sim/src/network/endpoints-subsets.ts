import type { EndpointAddress, EndpointPort, EndpointSubset } from "./objects.ts";

/** One address offering one port (or no port: headless Services may have none). */
export type AddressPort = { address: EndpointAddress; ready: boolean; port: EndpointPort | undefined };

/**
 * Packs address/port pairs into the fewest subsets, as Kubernetes'
 * `RepackSubsets`: ports offered by exactly the same addresses (with the same
 * readiness) share a subset. An address ready for any port counts as ready.
 * Output is sorted, so equal inputs give equal objects.
 */
export function repackSubsets(pairs: AddressPort[]): EndpointSubset[] {
  const readiness = new Map<string, boolean>();
  const addresses = new Map<string, EndpointAddress>();
  for (const { address, ready } of pairs) {
    const key = addressKey(address);
    addresses.set(key, address);
    readiness.set(key, (readiness.get(key) ?? false) || ready);
  }
  const portAddresses = new Map<string, { port: EndpointPort | undefined; addresses: Set<string> }>();
  for (const { address, port } of pairs) {
    const key = port ? portKey(port) : "";
    const entry = portAddresses.get(key) ?? { port, addresses: new Set<string>() };
    entry.addresses.add(addressKey(address));
    portAddresses.set(key, entry);
  }
  const groups = new Map<string, { addresses: string[]; ports: EndpointPort[] }>();
  for (const { port, addresses: offering } of portAddresses.values()) {
    const members = [...offering].sort();
    const key = members.map((m) => `${m}=${readiness.get(m)}`).join(",");
    const group = groups.get(key) ?? { addresses: members, ports: [] };
    if (port) group.ports.push(port);
    groups.set(key, group);
  }
  const subsets = [...groups.values()].map(({ addresses: members, ports }) => {
    const subset: EndpointSubset = {};
    const ready = members.filter((m) => readiness.get(m)).map((m) => addresses.get(m) as EndpointAddress);
    const notReady = members.filter((m) => !readiness.get(m)).map((m) => addresses.get(m) as EndpointAddress);
    if (ready.length > 0) subset.addresses = ready.sort(byAddress);
    if (notReady.length > 0) subset.notReadyAddresses = notReady.sort(byAddress);
    if (ports.length > 0) subset.ports = ports.sort((a, b) => portKey(a).localeCompare(portKey(b)));
    return subset;
  });
  return subsets.sort((a, b) => subsetKey(a).localeCompare(subsetKey(b)));
}

function addressKey(address: EndpointAddress): string {
  return `${address.ip}/${address.targetRef?.uid ?? address.targetRef?.name ?? ""}`;
}

function portKey(port: EndpointPort): string {
  return `${port.name ?? ""}/${port.port}/${port.protocol ?? "TCP"}`;
}

function byAddress(a: EndpointAddress, b: EndpointAddress): number {
  return addressKey(a).localeCompare(addressKey(b), undefined, { numeric: true });
}

function subsetKey(subset: EndpointSubset): string {
  const first = subset.addresses?.[0] ?? subset.notReadyAddresses?.[0];
  return `${first ? addressKey(first) : ""}|${(subset.ports ?? []).map(portKey).join(",")}`;
}
