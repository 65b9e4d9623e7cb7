import { Controller, type Informer, type KubeClient, R, type Runnable, splitKey } from "@atoll/kube";
import { type PortGroup, planSlices, portsKey } from "./endpointslice-plan.ts";
import { ignoreNotFound } from "./not-found.ts";
import {
  type EndpointPort,
  type EndpointSlice,
  hasClusterIP,
  isPodReady,
  podIPv4s,
  protocolOf,
  type Service,
  type SliceEndpoint,
  serviceKey,
  serviceSelector,
  serviceType,
} from "./objects.ts";
import {
  findPort,
  hostnameFor,
  inheritedLabels,
  podReference,
  selectedPods,
  servicesSelecting,
  shouldPodBeInEndpoints,
} from "./pod-endpoints.ts";
import {
  ENDPOINTSLICE_CONTROLLER,
  LABEL_HEADLESS,
  LABEL_SERVICE_NAME,
  LABEL_SLICE_MANAGED_BY,
} from "./well-known.ts";

export type EndpointSliceControllerOptions = {
  client: KubeClient;
  services: Informer;
  pods: Informer;
  endpointSlices: Informer;
  onError?: (controller: string, key: string, error: unknown) => void;
};

/**
 * Kubernetes' EndpointSlice controller: for every Service with a selector
 * (and not ExternalName), `discovery.k8s.io/v1` EndpointSlices (addressType
 * IPv4, up to 100 endpoints each, grouped by resolved ports) of the selected
 * pods that have an IP, terminating ones included. Each endpoint carries
 * `ready` (serving and not terminating, or always with
 * `publishNotReadyAddresses`), `serving` (the pod is Ready) and `terminating`,
 * a targetRef, nodeName and hostname. Slices carry the Service's labels plus
 * `kubernetes.io/service-name` and `endpointslice.kubernetes.io/managed-by`,
 * and a controller ownerReference to the Service, so the garbage collector
 * removes them with it.
 *
 * The slices to change are listed from the API, not the informer, so a write
 * of ours the informer has not seen yet can never make a duplicate slice.
 * Not modelled: topology (zone) and hints, and skipping pods whose Node is missing.
 */
export class EndpointSliceController implements Runnable {
  static readonly NAME = "endpointslice-controller";
  #options: EndpointSliceControllerOptions;
  #controller: Controller | undefined;

  constructor(options: EndpointSliceControllerOptions) {
    this.#options = options;
  }

  start(): void {
    const { services, pods, endpointSlices } = this.#options;
    this.#controller = new Controller({
      name: EndpointSliceController.NAME,
      reconcile: async (key) => {
        await this.#reconcile(key);
        return undefined;
      },
      onError: this.#options.onError,
    })
      .watches(services)
      .watches(pods, servicesSelecting(services))
      .watches(endpointSlices, (slice) => {
        const labels = slice.metadata.labels ?? {};
        const service = labels[LABEL_SERVICE_NAME];
        if (!service || labels[LABEL_SLICE_MANAGED_BY] !== ENDPOINTSLICE_CONTROLLER) return [];
        return [serviceKey(slice.metadata.namespace ?? "", service)];
      });
  }

  stop(): void {
    this.#controller?.stop();
    this.#controller = undefined;
  }

  async #reconcile(key: string): Promise<void> {
    const { services, client } = this.#options;
    const service = services.get(key) as Service | undefined;
    // A deleted Service's slices go with it through their ownerReference.
    if (!service || serviceType(service) === "ExternalName" || !serviceSelector(service)) return;
    const { namespace, name } = splitKey(key);
    const listed = await client.list(R.endpointslices, {
      namespace,
      labelSelector: `${LABEL_SERVICE_NAME}=${name},${LABEL_SLICE_MANAGED_BY}=${ENDPOINTSLICE_CONTROLLER}`,
    });
    const existing = (listed.items as EndpointSlice[]).filter((slice) => !slice.metadata.deletionTimestamp);
    const plan = planSlices({
      service,
      existing,
      groups: this.#desired(service),
      labels: sliceLabels(service),
    });
    for (const slice of plan.update) await client.update(R.endpointslices, namespace, slice);
    // Creating slices for a Service being deleted would race the garbage collector.
    if (!service.metadata.deletionTimestamp) {
      for (const slice of plan.create) await client.create(R.endpointslices, namespace, slice);
    }
    for (const slice of plan.delete) {
      await ignoreNotFound(client.delete(R.endpointslices, namespace, slice.metadata.name ?? ""));
    }
  }

  #desired(service: Service): Map<string, PortGroup> {
    const groups = new Map<string, PortGroup>();
    const publishNotReady = service.spec?.publishNotReadyAddresses === true;
    for (const pod of selectedPods(service, this.#options.pods)) {
      if (!shouldPodBeInEndpoints(pod, true)) continue;
      const addresses = podIPv4s(pod);
      if (addresses.length === 0) continue;
      const serving = isPodReady(pod);
      const terminating = pod.metadata.deletionTimestamp !== undefined;
      const endpoint: SliceEndpoint = {
        addresses,
        conditions: { ready: publishNotReady || (serving && !terminating), serving, terminating },
        targetRef: podReference(pod),
      };
      if (pod.spec?.nodeName) endpoint.nodeName = pod.spec.nodeName;
      const hostname = hostnameFor(pod, service);
      if (hostname) endpoint.hostname = hostname;
      const ports = endpointPorts(service, pod);
      const key = portsKey(ports);
      const group = groups.get(key) ?? { ports, endpoints: [] };
      group.endpoints.push(endpoint);
      groups.set(key, group);
    }
    return groups;
  }
}

function endpointPorts(service: Service, pod: Parameters<typeof findPort>[0]): EndpointPort[] {
  const ports: EndpointPort[] = [];
  for (const servicePort of service.spec?.ports ?? []) {
    const port = findPort(pod, servicePort);
    if (port === undefined) continue;
    const endpointPort: EndpointPort = {
      name: servicePort.name ?? "",
      port,
      protocol: protocolOf(servicePort),
    };
    if (servicePort.appProtocol) endpointPort.appProtocol = servicePort.appProtocol;
    ports.push(endpointPort);
  }
  return ports;
}

/** The Service's labels, without the reserved ones, plus the slice's own. */
function sliceLabels(service: Service): Record<string, string> {
  const reserved = [LABEL_SERVICE_NAME, LABEL_SLICE_MANAGED_BY, LABEL_HEADLESS];
  const labels = inheritedLabels(service, reserved);
  if (!hasClusterIP(service)) labels[LABEL_HEADLESS] = "";
  labels[LABEL_SERVICE_NAME] = service.metadata.name ?? "";
  labels[LABEL_SLICE_MANAGED_BY] = ENDPOINTSLICE_CONTROLLER;
  return labels;
}
