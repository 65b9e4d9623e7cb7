import type { Informer, KubeObject } from "@atoll/kube";
import {
  type ObjectReference,
  type Pod,
  protocolOf,
  type Service,
  type ServicePort,
  selectorMatches,
  serviceKey,
  serviceSelector,
} from "./objects.ts";

/** What the endpoints and EndpointSlice controllers share: which pods back a Service, and on which ports. */

/** The pods of the Service's namespace that its selector picks (none without a selector). */
export function selectedPods(service: Service, pods: Informer): Pod[] {
  const selector = serviceSelector(service);
  if (!selector) return [];
  return (pods.list(service.metadata.namespace) as Pod[]).filter((pod) =>
    selectorMatches(selector, pod.metadata.labels),
  );
}

/** Keys of the Services in the object's namespace whose selector picks its labels: a pod informer's event map. */
export function servicesSelecting(services: Informer): (pod: KubeObject) => string[] {
  return (pod) => {
    const namespace = pod.metadata.namespace ?? "";
    return (services.list(namespace) as Service[])
      .filter((service) => {
        const selector = serviceSelector(service);
        return selector !== undefined && selectorMatches(selector, pod.metadata.labels);
      })
      .map((service) => serviceKey(namespace, service.metadata.name ?? ""));
  };
}

/**
 * Whether a pod belongs in Endpoints/EndpointSlices: it has an IP, has not
 * finished (Succeeded/Failed), and is not terminating unless `includeTerminating`.
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed") return false;
  if (!pod.status?.podIP && (pod.status?.podIPs?.length ?? 0) === 0) return false;
  return includeTerminating || !pod.metadata.deletionTimestamp;
}

/**
 * The pod port a Service port targets: a number as is, a name looked up among
 * the containers' (and sidecars') named ports of the same protocol. Undefined
 * when the name matches nothing, which leaves the pod out of that port.
 */
export function findPort(pod: Pod, servicePort: ServicePort): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === "number") return target;
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === "Always");
  for (const container of [...(pod.spec?.containers ?? []), ...sidecars]) {
    for (const port of container.ports ?? []) {
      if (port.name === target && protocolOf(port) === protocolOf(servicePort)) return port.containerPort;
    }
  }
  return undefined;
}

/** Pods with a hostname in the Service's subdomain are published under that hostname. */
export function hostnameFor(pod: Pod, service: Service): string | undefined {
  const hostname = pod.spec?.hostname;
  const sameNamespace = pod.metadata.namespace === service.metadata.namespace;
  return hostname && sameNamespace && pod.spec?.subdomain === service.metadata.name ? hostname : undefined;
}

export function podReference(pod: Pod): ObjectReference {
  return {
    kind: "Pod",
    namespace: pod.metadata.namespace,
    name: pod.metadata.name ?? "",
    uid: pod.metadata.uid,
  };
}

/** Services labels are copied to what is derived from them, without the reserved ones. */
export function inheritedLabels(service: Service, reserved: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(service.metadata.labels ?? {})) {
    if (!reserved.includes(key)) labels[key] = value;
  }
  return labels;
}
