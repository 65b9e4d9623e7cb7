import { Controller, type Informer, type KubeClient, R, type Runnable, splitKey } from "@atoll/kube";
import { type PortGroup, planSlices, portsKey } from "./endpointslice-plan.ts";
import { ignoreNotFound } from "./not-found.ts";
import {
  type EndpointAddress,
  type EndpointPort,
  type EndpointSlice,
  type Endpoints,
  isIPv4,
  protocolOf,
  type Service,
  type SliceEndpoint,
  serviceKey,
  serviceSelector,
} from "./objects.ts";
import {
  ENDPOINTS_CONTROLLER,
  ENDPOINTSLICE_MIRRORING_CONTROLLER,
  LABEL_ENDPOINTS_MANAGED_BY,
  LABEL_SERVICE_NAME,
  LABEL_SKIP_MIRROR,
  LABEL_SLICE_MANAGED_BY,
} from "./well-known.ts";

/** Kubernetes mirrors at most this many addresses of one Endpoints object. */
const MAX_MIRRORED_ADDRESSES = 1000;

export type EndpointSliceMirroringOptions = {
  client: KubeClient;
  services: Informer;
  endpoints: Informer;
  endpointSlices: Informer;
  onError?: (controller: string, key: string, error: unknown) => void;
};

/**
 * Kubernetes' EndpointSlice mirroring controller: the Endpoints users write
 * for a Service without a selector are mirrored into EndpointSlices (managed
 * by `endpointslicemirroring-controller.k8s.io`), so that everything reading
 * slices — the proxy first — sees them. Addresses become `ready: true`
 * endpoints, notReadyAddresses `ready: false`; each subset's ports become
 * the slice's. Endpoints labelled `endpointslice.kubernetes.io/skip-mirror:
 * "true"` are skipped, and at most 1000 IPv4 addresses are mirrored.
 */
export class EndpointSliceMirroring implements Runnable {
  static readonly NAME = "endpointslice-mirroring-controller";
  #options: EndpointSliceMirroringOptions;
  #controller: Controller | undefined;

  constructor(options: EndpointSliceMirroringOptions) {
    this.#options = options;
  }

  start(): void {
    const { services, endpoints, endpointSlices } = this.#options;
    this.#controller = new Controller({
      name: EndpointSliceMirroring.NAME,
      reconcile: async (key) => {
        await this.#reconcile(key);
        return undefined;
      },
      onError: this.#options.onError,
    })
      .watches(services)
      .watches(endpoints)
      .watches(endpointSlices, (slice) => {
        const labels = slice.metadata.labels ?? {};
        const service = labels[LABEL_SERVICE_NAME];
        if (!service || labels[LABEL_SLICE_MANAGED_BY] !== ENDPOINTSLICE_MIRRORING_CONTROLLER) return [];
        return [serviceKey(slice.metadata.namespace ?? "", service)];
      });
  }

  stop(): void {
    this.#controller?.stop();
    this.#controller = undefined;
  }

  async #reconcile(key: string): Promise<void> {
    const { services, endpoints, endpointSlices, client } = this.#options;
    const { namespace, name } = splitKey(key);
    const service = services.get(key) as Service | undefined;
    // A deleted Service's slices go with it through their ownerReference.
    if (!service) return;
    const source = endpoints.get(key) as Endpoints | undefined;
    const groups =
      source && shouldMirror(service, source) ? mirroredGroups(source) : new Map<string, PortGroup>();
    const isMirrored = (slice: EndpointSlice) =>
      slice.metadata.labels?.[LABEL_SERVICE_NAME] === name &&
      slice.metadata.labels?.[LABEL_SLICE_MANAGED_BY] === ENDPOINTSLICE_MIRRORING_CONTROLLER;
    // Most Services have a selector and nothing mirrored: no need to ask the API.
    if (groups.size === 0 && !(endpointSlices.list(namespace) as EndpointSlice[]).some(isMirrored)) return;
    const listed = await client.list(R.endpointslices, {
      namespace,
      labelSelector: `${LABEL_SERVICE_NAME}=${name},${LABEL_SLICE_MANAGED_BY}=${ENDPOINTSLICE_MIRRORING_CONTROLLER}`,
    });
    const existing = (listed.items as EndpointSlice[]).filter((slice) => !slice.metadata.deletionTimestamp);
    const labels: Record<string, string> = {
      ...source?.metadata.labels,
      [LABEL_SERVICE_NAME]: name,
      [LABEL_SLICE_MANAGED_BY]: ENDPOINTSLICE_MIRRORING_CONTROLLER,
    };
    const plan = planSlices({ service, existing, groups, labels, placeholder: false });
    for (const slice of plan.update) await client.update(R.endpointslices, namespace, slice);
    for (const slice of plan.create) await client.create(R.endpointslices, namespace, slice);
    for (const slice of plan.delete) {
      await ignoreNotFound(client.delete(R.endpointslices, namespace, slice.metadata.name ?? ""));
    }
  }
}

function shouldMirror(service: Service, endpoints: Endpoints): boolean {
  const labels = endpoints.metadata.labels ?? {};
  if (labels[LABEL_SKIP_MIRROR] === "true") return false;
  if (labels[LABEL_ENDPOINTS_MANAGED_BY] === ENDPOINTS_CONTROLLER) return false;
  return serviceSelector(service) === undefined;
}

function mirroredGroups(endpoints: Endpoints): Map<string, PortGroup> {
  const groups = new Map<string, PortGroup>();
  let budget = MAX_MIRRORED_ADDRESSES;
  for (const subset of endpoints.subsets ?? []) {
    const ports: EndpointPort[] = (subset.ports ?? []).map((port) => ({
      name: port.name ?? "",
      port: port.port,
      protocol: protocolOf(port),
      ...(port.appProtocol ? { appProtocol: port.appProtocol } : {}),
    }));
    const key = portsKey(ports);
    const group = groups.get(key) ?? { ports, endpoints: [] };
    const listed: Array<[EndpointAddress, boolean]> = [
      ...(subset.addresses ?? []).map((a): [EndpointAddress, boolean] => [a, true]),
      ...(subset.notReadyAddresses ?? []).map((a): [EndpointAddress, boolean] => [a, false]),
    ];
    for (const [address, ready] of listed) {
      if (budget === 0 || !isIPv4(address.ip)) continue;
      budget--;
      const endpoint: SliceEndpoint = { addresses: [address.ip], conditions: { ready } };
      if (address.hostname) endpoint.hostname = address.hostname;
      if (address.nodeName) endpoint.nodeName = address.nodeName;
      if (address.targetRef) endpoint.targetRef = address.targetRef;
      group.endpoints.push(endpoint);
    }
    groups.set(key, group);
  }
  for (const [key, group] of groups) if (group.endpoints.length === 0) groups.delete(key);
  return groups;
}
