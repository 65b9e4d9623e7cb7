import { cloneJson, jsonEqual } from "@atoll/kube";
import type { EndpointPort, EndpointSlice, Service, SliceEndpoint } from "./objects.ts";
import { MAX_ENDPOINTS_PER_SLICE } from "./well-known.ts";

/** Endpoints that share one list of ports: they go in the same slices. */
export type PortGroup = { ports: EndpointPort[]; endpoints: SliceEndpoint[] };

/** The writes that bring a Service's slices to the desired state. */
export type SlicePlan = { create: EndpointSlice[]; update: EndpointSlice[]; delete: EndpointSlice[] };

export type SlicePlanInput = {
  service: Service;
  /** The slices this controller manages for the Service, as they are now. */
  existing: EndpointSlice[];
  /** Desired endpoints keyed by {@link portsKey}. */
  groups: Map<string, PortGroup>;
  labels: Record<string, string>;
  maxPerSlice?: number;
  /** Keep one empty slice when there are no endpoints (default true; the mirroring controller keeps none). */
  placeholder?: boolean;
};

/**
 * Plans slice writes as the EndpointSlice reconciler does, minimising churn:
 * an endpoint stays in the slice it is in; new ones fill slices with room
 * before new slices are made; slices left empty are deleted, or reused for a
 * slice that would otherwise be created; slices owned by an older Service of
 * the same name are deleted. A Service with no endpoints keeps one empty
 * placeholder slice, unless `placeholder` is false.
 */
export function planSlices(input: SlicePlanInput): SlicePlan {
  const { service, groups, labels } = input;
  const max = input.maxPerSlice ?? MAX_ENDPOINTS_PER_SLICE;
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const owned: EndpointSlice[] = [];
  for (const slice of input.existing) (ownedBy(slice, service) ? owned : plan.delete).push(slice);
  const byPorts = new Map<string, EndpointSlice[]>();
  for (const slice of owned) {
    const key = portsKey(slice.ports ?? []);
    byPorts.set(key, [...(byPorts.get(key) ?? []), slice]);
  }
  for (const [key, slices] of byPorts) if (!groups.has(key)) plan.delete.push(...slices);
  for (const [key, group] of groups) {
    const remaining = new Map(group.endpoints.map((e) => [endpointKey(e), e]));
    const filled = (byPorts.get(key) ?? []).map((slice) => {
      const kept = (slice.endpoints ?? [])
        .map((e) => remaining.get(endpointKey(e)))
        .filter((e): e is SliceEndpoint => e !== undefined);
      for (const e of kept) remaining.delete(endpointKey(e));
      return { slice, endpoints: kept };
    });
    const rest = [...remaining.values()];
    for (const entry of filled)
      while (entry.endpoints.length < max && rest.length > 0) entry.endpoints.push(rest.shift()!);
    for (const { slice, endpoints } of filled) {
      if (endpoints.length === 0) plan.delete.push(slice);
      else if (!sameContent(slice, endpoints, group.ports, labels)) {
        plan.update.push(withContent(slice, endpoints, group.ports, labels));
      }
    }
    for (let i = 0; i < rest.length; i += max) {
      plan.create.push(newSlice(service, rest.slice(i, i + max), group.ports, labels));
    }
  }
  const remainingOwned = owned.length - plan.delete.filter((s) => ownedBy(s, service)).length;
  if (input.placeholder !== false && remainingOwned === 0 && plan.create.length === 0) {
    plan.create.push(newSlice(service, [], [], labels));
  }
  // Rather than delete one slice and create another, rewrite the one that would go.
  for (let i = 0; i < plan.delete.length && plan.create.length > 0; ) {
    const doomed = plan.delete[i];
    if (!ownedBy(doomed, service)) {
      i++;
      continue;
    }
    const replacement = plan.create.pop()!;
    plan.delete.splice(i, 1);
    if (!sameContent(doomed, replacement.endpoints ?? [], replacement.ports ?? [], labels)) {
      plan.update.push(withContent(doomed, replacement.endpoints ?? [], replacement.ports ?? [], labels));
    }
  }
  return plan;
}

/** Groups slices by their port list, order-insensitively. */
export function portsKey(ports: EndpointPort[]): string {
  return ports
    .map((p) => `${p.name ?? ""}/${p.port}/${p.protocol ?? "TCP"}/${p.appProtocol ?? ""}`)
    .sort()
    .join(",");
}

function endpointKey(endpoint: SliceEndpoint): string {
  return `${endpoint.addresses.join(",")}/${endpoint.targetRef?.uid ?? endpoint.targetRef?.name ?? ""}`;
}

function ownedBy(slice: EndpointSlice, service: Service): boolean {
  return (slice.metadata.ownerReferences ?? []).some(
    (ref) => ref.kind === "Service" && ref.apiVersion === "v1" && ref.uid === service.metadata.uid,
  );
}

function sameContent(
  slice: EndpointSlice,
  endpoints: SliceEndpoint[],
  ports: EndpointPort[],
  labels: Record<string, string>,
): boolean {
  return (
    jsonEqual(slice.endpoints ?? [], endpoints) &&
    jsonEqual(slice.ports ?? [], ports) &&
    jsonEqual(slice.metadata.labels ?? {}, labels)
  );
}

function withContent(
  slice: EndpointSlice,
  endpoints: SliceEndpoint[],
  ports: EndpointPort[],
  labels: Record<string, string>,
): EndpointSlice {
  const next = cloneJson(slice);
  next.metadata.labels = labels;
  next.endpoints = endpoints;
  next.ports = ports;
  return next;
}

function newSlice(
  service: Service,
  endpoints: SliceEndpoint[],
  ports: EndpointPort[],
  labels: Record<string, string>,
): EndpointSlice {
  const { name, namespace, uid } = service.metadata;
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      generateName: `${name}-`,
      namespace,
      labels,
      ownerReferences: [
        {
          apiVersion: "v1",
          kind: "Service",
          name: name ?? "",
          uid: uid ?? "",
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    addressType: "IPv4",
    endpoints,
    ports,
  };
}
