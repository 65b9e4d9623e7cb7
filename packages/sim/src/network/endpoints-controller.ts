import {
  Controller,
  cloneJson,
  type Informer,
  jsonEqual,
  type KubeClient,
  objectKeyOf,
  R,
  type Runnable,
  splitKey,
} from "@atoll/kube";
import { type AddressPort, repackSubsets } from "./endpoints-subsets.ts";
import { ignoreNotFound } from "./not-found.ts";
import {
  type EndpointAddress,
  type EndpointPort,
  type Endpoints,
  hasClusterIP,
  isPodReady,
  podIPv4s,
  protocolOf,
  type Service,
  serviceSelector,
  serviceType,
} from "./objects.ts";
import {
  findPort,
  hostnameFor,
  podReference,
  selectedPods,
  servicesSelecting,
  shouldPodBeInEndpoints,
} from "./pod-endpoints.ts";
import {
  CLUSTER_IP_NONE,
  ENDPOINTS_CONTROLLER,
  LABEL_ENDPOINTS_MANAGED_BY,
  LABEL_HEADLESS,
} from "./well-known.ts";

export type EndpointsControllerOptions = {
  client: KubeClient;
  services: Informer;
  pods: Informer;
  endpoints: Informer;
  onError?: (controller: string, key: string, error: unknown) => void;
};

/**
 * Kubernetes' endpoints controller: for every Service with a selector (and not
 * ExternalName), an Endpoints object of the same name listing the selected
 * pods that have an IP — ready ones (or all, with `publishNotReadyAddresses`)
 * under `addresses`, others under `notReadyAddresses`, terminating ones left
 * out — with ports resolved per pod (named target ports looked up in the
 * pod's container ports). Services without a selector are left to their
 * users. The Endpoints of a deleted Service are deleted.
 *
 * Not modelled: the 1000-address truncation and the last-change-trigger-time
 * annotation.
 */
export class EndpointsController implements Runnable {
  static readonly NAME = "endpoint-controller";
  #options: EndpointsControllerOptions;
  #controller: Controller | undefined;

  constructor(options: EndpointsControllerOptions) {
    this.#options = options;
  }

  start(): void {
    const { services, pods, endpoints } = this.#options;
    const controller = new Controller({
      name: EndpointsController.NAME,
      reconcile: async (key) => {
        await this.#reconcile(key);
        return undefined;
      },
      onError: this.#options.onError,
    })
      .watches(services)
      .watches(pods, servicesSelecting(services));
    this.#controller = controller;
    // Ours deleted by someone else are put back; leftovers of Services deleted while we were away are removed.
    endpoints.addHandlers({ onDelete: (object) => controller.enqueue(objectKeyOf(object)) });
    void endpoints.synced().then(() => {
      for (const object of endpoints.list()) {
        if (object.metadata.labels?.[LABEL_ENDPOINTS_MANAGED_BY] === ENDPOINTS_CONTROLLER) {
          controller.enqueue(objectKeyOf(object));
        }
      }
    });
  }

  stop(): void {
    this.#controller?.stop();
    this.#controller = undefined;
  }

  async #reconcile(key: string): Promise<void> {
    const { services, endpoints, client } = this.#options;
    const { namespace, name } = splitKey(key);
    const service = services.get(key) as Service | undefined;
    const current = endpoints.get(key) as Endpoints | undefined;
    if (!service) {
      if (current) await ignoreNotFound(client.delete(R.endpoints, namespace, name));
      return;
    }
    if (serviceType(service) === "ExternalName" || !serviceSelector(service)) return;
    const subsets = this.#subsets(service);
    const labels: Record<string, string> = {
      ...service.metadata.labels,
      [LABEL_ENDPOINTS_MANAGED_BY]: ENDPOINTS_CONTROLLER,
    };
    if (!hasClusterIP(service)) labels[LABEL_HEADLESS] = "";
    else delete labels[LABEL_HEADLESS];
    if (
      current &&
      jsonEqual(current.subsets ?? [], subsets) &&
      jsonEqual(current.metadata.labels ?? {}, labels)
    ) {
      return;
    }
    if (current) {
      const next = cloneJson(current);
      next.metadata.labels = labels;
      next.subsets = subsets;
      await client.update(R.endpoints, namespace, next);
    } else {
      await client.create(R.endpoints, namespace, {
        apiVersion: "v1",
        kind: "Endpoints",
        metadata: { name, labels },
        subsets,
      });
    }
  }

  #subsets(service: Service): Endpoints["subsets"] {
    const publishNotReady = service.spec?.publishNotReadyAddresses === true;
    const ports = service.spec?.ports ?? [];
    const pairs: AddressPort[] = [];
    for (const pod of selectedPods(service, this.#options.pods)) {
      if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
      const ip = podIPv4s(pod)[0];
      if (!ip) continue;
      const address: EndpointAddress = { ip, targetRef: podReference(pod) };
      const hostname = hostnameFor(pod, service);
      if (hostname) address.hostname = hostname;
      if (pod.spec?.nodeName) address.nodeName = pod.spec.nodeName;
      const ready = publishNotReady || isPodReady(pod);
      if (ports.length === 0) {
        if (service.spec?.clusterIP === CLUSTER_IP_NONE) pairs.push({ address, ready, port: undefined });
        continue;
      }
      for (const servicePort of ports) {
        const port = findPort(pod, servicePort);
        if (port === undefined) continue;
        const endpointPort: EndpointPort = { port, protocol: protocolOf(servicePort) };
        if (servicePort.name) endpointPort.name = servicePort.name;
        if (servicePort.appProtocol) endpointPort.appProtocol = servicePort.appProtocol;
        pairs.push({ address, ready, port: endpointPort });
      }
    }
    return repackSubsets(pairs);
  }
}
