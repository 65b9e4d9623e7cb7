import { createHash } from "node:crypto";
import {
  AtollLabels,
  EndpointSliceLabels,
  MCS_ENDPOINTSLICE_MANAGER,
  MCS_GROUP,
  MCS_VERSION,
  McsAnnotations,
  McsLabels,
  type McsServicePort,
  type ServiceImport,
  ServiceImportTypes,
} from "@atoll/api";
import { jsonEqual, type KubeObject, type OwnerReference } from "@atoll/kube";
import type { EndpointSlice, Service, SliceEndpoint, SlicePort } from "./core-objects.ts";
import { type DerivedService, servedPorts } from "./derive.ts";

/** Endpoints per imported EndpointSlice, as Kubernetes' `--max-endpoints-per-slice` default. */
const MAX_ENDPOINTS_PER_SLICE = 100;

/** What one member contributes to an import: its name and its own EndpointSlices of the Service. */
export type EndpointSource = { cluster: string; slices: readonly EndpointSlice[] };

const managed = { [AtollLabels.managedBy]: AtollLabels.managedByValue };

/** The ServiceImport (spec only; status goes through its subresource). `ips` once the derived Service has one. */
export function desiredImport(
  namespace: string,
  name: string,
  derived: DerivedService,
  options: { derivedService?: string; ips?: string[] },
): ServiceImport {
  const spec: ServiceImport["spec"] = {
    type: derived.type,
    ports: derived.ports.map(portOf),
    sessionAffinity: derived.sessionAffinity,
  };
  if (derived.sessionAffinityConfig) spec.sessionAffinityConfig = derived.sessionAffinityConfig;
  if (options.ips?.length) spec.ips = options.ips;
  const metadata: KubeObject["metadata"] = { name, namespace, labels: { ...managed } };
  if (options.derivedService)
    metadata.annotations = { [McsAnnotations.derivedService]: options.derivedService };
  return { apiVersion: `${MCS_GROUP}/${MCS_VERSION}`, kind: "ServiceImport", metadata, spec };
}

/**
 * The derived Service of a ClusterSetIP import: ClusterIP, no selector, the
 * import's ports and affinity. The member allocates its cluster IP from its
 * own service range (so it never clashes with the member's Services), and
 * kube-proxy — or the sim's proxy — routes it to the imported EndpointSlices,
 * which name it in `kubernetes.io/service-name`.
 */
export function desiredDerivedService(
  namespace: string,
  name: string,
  serviceName: string,
  derived: DerivedService,
  owner: OwnerReference,
): Service {
  const spec: NonNullable<Service["spec"]> = {
    type: "ClusterIP",
    ports: derived.ports.map(portOf),
    sessionAffinity: derived.sessionAffinity,
  };
  if (derived.sessionAffinityConfig) spec.sessionAffinityConfig = derived.sessionAffinityConfig;
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: serviceName,
      namespace,
      labels: { ...managed, [McsLabels.serviceName]: name },
      ownerReferences: [owner],
    },
    spec,
  };
}

/** One member's ready endpoints that share an address type and ports. */
type EndpointGroup = { addressType: string; ports: SlicePort[]; endpoints: Map<string, SliceEndpoint> };

/**
 * The imported EndpointSlices of one member: per exporting member that is
 * reachable, its ready endpoints, for the import ports it serves, grouped by
 * address type and ports, at most 100 endpoints a slice. Each slice holds one
 * member's endpoints only, as the KEP requires.
 */
export function desiredSlices(options: {
  namespace: string;
  name: string;
  derived: DerivedService;
  sources: readonly EndpointSource[];
  /** The derived Service, for ClusterSetIP imports. */
  derivedService?: string;
  owner: OwnerReference;
}): EndpointSlice[] {
  const { namespace, name, owner } = options;
  const slices: EndpointSlice[] = [];
  for (const source of options.sources) {
    const labels: Record<string, string> = {
      ...managed,
      [McsLabels.serviceName]: name,
      [McsLabels.sourceCluster]: source.cluster,
      [EndpointSliceLabels.managedBy]: MCS_ENDPOINTSLICE_MANAGER,
    };
    if (options.derivedService) labels[EndpointSliceLabels.serviceName] = options.derivedService;
    const groups = endpointGroups(source.slices, servedPorts(options.derived, source.cluster));
    for (const [groupKey, group] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
      const endpoints = [...group.endpoints.values()].sort((a, b) =>
        a.addresses[0].localeCompare(b.addresses[0]),
      );
      // A member with no ready endpoint still gets an (empty) slice: it is an exporter, just idle.
      const chunks = Math.max(1, Math.ceil(endpoints.length / MAX_ENDPOINTS_PER_SLICE));
      for (let chunk = 0; chunk < chunks; chunk++) {
        const first = chunk * MAX_ENDPOINTS_PER_SLICE;
        slices.push({
          apiVersion: "discovery.k8s.io/v1",
          kind: "EndpointSlice",
          metadata: {
            name: `${name}-${source.cluster}-${digest(`${groupKey}|${chunk}`)}`,
            namespace,
            labels: { ...labels },
            ownerReferences: [owner],
          },
          addressType: group.addressType,
          ports: group.ports,
          endpoints: endpoints.slice(first, first + MAX_ENDPOINTS_PER_SLICE),
        });
      }
    }
  }
  return slices;
}

/** A member's ready endpoints by address type and the `served` ports their slices carry. */
function endpointGroups(
  slices: readonly EndpointSlice[],
  served: McsServicePort[],
): Map<string, EndpointGroup> {
  const groups = new Map<string, EndpointGroup>();
  if (served.length === 0) return groups;
  const isServed = (port: SlicePort) =>
    served.some(
      (s) => (s.name ?? "") === (port.name ?? "") && (s.protocol ?? "TCP") === (port.protocol ?? "TCP"),
    );
  for (const slice of slices) {
    if (slice.addressType !== "IPv4" && slice.addressType !== "IPv6") continue;
    const ports = (slice.ports ?? [])
      .filter(isServed)
      .map(slicePortOf)
      .sort((a, b) => (a.name ?? "").localeCompare(b.name ?? ""));
    if (ports.length === 0) continue;
    const key = `${slice.addressType}|${JSON.stringify(ports)}`;
    const group = groups.get(key) ?? { addressType: slice.addressType, ports, endpoints: new Map() };
    groups.set(key, group);
    for (const endpoint of slice.endpoints ?? []) {
      if (endpoint.conditions?.ready === false || endpoint.addresses.length === 0) continue;
      const copy: SliceEndpoint = { addresses: [...endpoint.addresses], conditions: { ready: true } };
      if (endpoint.hostname) copy.hostname = endpoint.hostname;
      if (endpoint.zone) copy.zone = endpoint.zone;
      group.endpoints.set(endpoint.addresses.join(","), copy);
    }
  }
  return groups;
}

/** The ServiceImport as an owner of what is derived from it (not a controller, as the KEP's example). */
export function importOwner(serviceImport: KubeObject): OwnerReference {
  return {
    apiVersion: `${MCS_GROUP}/${MCS_VERSION}`,
    kind: "ServiceImport",
    name: serviceImport.metadata.name ?? "",
    uid: serviceImport.metadata.uid ?? "",
  };
}

/** Whether the live ServiceImport already has what `desired` sets. */
export function importMatches(live: KubeObject | undefined, desired: ServiceImport): boolean {
  return (
    live !== undefined &&
    !live.metadata.deletionTimestamp &&
    hasAll(live.metadata.labels, desired.metadata.labels) &&
    hasAll(live.metadata.annotations, desired.metadata.annotations) &&
    (desired.metadata.annotations !== undefined ||
      live.metadata.annotations?.[McsAnnotations.derivedService] === undefined) &&
    jsonEqual(live.spec, desired.spec)
  );
}

/** Whether the live derived Service already has what `desired` sets (the member fills in the rest). */
export function serviceMatches(live: Service | undefined, desired: Service): boolean {
  if (!live || live.metadata.deletionTimestamp) return false;
  const view = (s: Service) => ({
    type: s.spec?.type ?? "ClusterIP",
    ports: (s.spec?.ports ?? []).map(portOf),
    affinity: s.spec?.sessionAffinity ?? "None",
    timeout:
      s.spec?.sessionAffinity === "ClientIP"
        ? s.spec?.sessionAffinityConfig?.clientIP?.timeoutSeconds
        : undefined,
  });
  return (
    hasAll(live.metadata.labels, desired.metadata.labels) &&
    jsonEqual(live.metadata.ownerReferences ?? [], desired.metadata.ownerReferences) &&
    jsonEqual(view(live), view(desired))
  );
}

/** Whether the live imported EndpointSlice already equals `desired`. */
export function sliceMatches(live: EndpointSlice | undefined, desired: EndpointSlice): boolean {
  return (
    live !== undefined &&
    !live.metadata.deletionTimestamp &&
    jsonEqual(live.metadata.labels, desired.metadata.labels) &&
    jsonEqual(live.metadata.ownerReferences ?? [], desired.metadata.ownerReferences) &&
    live.addressType === desired.addressType &&
    jsonEqual(live.ports ?? [], desired.ports) &&
    jsonEqual(live.endpoints ?? [], desired.endpoints)
  );
}

/** The import type a Service exports as: headless when it has no cluster IP. */
export function importTypeOf(
  service: Service,
): typeof ServiceImportTypes.ClusterSetIP | typeof ServiceImportTypes.Headless {
  return service.spec?.clusterIP === "None" ? ServiceImportTypes.Headless : ServiceImportTypes.ClusterSetIP;
}

/** A port as the import (and derived Service) carries it: protocol defaulted, appProtocol only when set. */
export function portOf(
  port: McsServicePort | { name?: string; protocol?: string; port: number; appProtocol?: string },
): McsServicePort {
  const out: McsServicePort = {
    name: port.name ?? "",
    protocol: (port.protocol ?? "TCP") as McsServicePort["protocol"],
    port: port.port,
  };
  if (port.appProtocol) out.appProtocol = port.appProtocol;
  return out;
}

function slicePortOf(port: SlicePort): SlicePort {
  const out: SlicePort = { name: port.name ?? "", protocol: port.protocol ?? "TCP" };
  if (port.port !== undefined) out.port = port.port;
  if (port.appProtocol) out.appProtocol = port.appProtocol;
  return out;
}

function hasAll(
  live: Record<string, string> | undefined,
  wanted: Record<string, string> | undefined,
): boolean {
  return Object.entries(wanted ?? {}).every(([k, v]) => live?.[k] === v);
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 5);
}
