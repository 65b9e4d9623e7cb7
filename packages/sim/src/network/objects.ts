import type { KubeObject } from "@atoll/kube";
import { CLUSTER_IP_NONE } from "./well-known.ts";

/**
 * Typed views of the core/v1 and discovery/v1 objects the service machinery
 * reads. The API server decodes objects against the built-in schemas, so field
 * types hold; every field may still be absent.
 */
export type ServicePort = {
  name?: string;
  protocol?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
  appProtocol?: string;
};

export type ServiceSpec = {
  type?: string;
  selector?: Record<string, string>;
  clusterIP?: string;
  clusterIPs?: string[];
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  ports?: ServicePort[];
  sessionAffinity?: string;
  sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
  publishNotReadyAddresses?: boolean;
  loadBalancerIP?: string;
  loadBalancerClass?: string;
  allocateLoadBalancerNodePorts?: boolean;
};

export type LoadBalancerIngress = { ip?: string; hostname?: string; ipMode?: string };

export type Service = KubeObject & {
  spec?: ServiceSpec;
  status?: { loadBalancer?: { ingress?: LoadBalancerIngress[] } };
};

export type ContainerPort = { name?: string; containerPort: number; protocol?: string };
type Container = { name: string; ports?: ContainerPort[]; restartPolicy?: string };

export type Pod = KubeObject & {
  spec?: {
    nodeName?: string;
    hostname?: string;
    subdomain?: string;
    containers?: Container[];
    initContainers?: Container[];
  };
  status?: {
    phase?: string;
    podIP?: string;
    podIPs?: Array<{ ip: string }>;
    conditions?: Array<{ type: string; status: string }>;
  };
};

export type ObjectReference = { kind: string; namespace?: string; name: string; uid?: string };

export type EndpointAddress = {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: ObjectReference;
};
export type EndpointPort = { name?: string; port: number; protocol?: string; appProtocol?: string };
export type EndpointSubset = {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
};
export type Endpoints = KubeObject & { subsets?: EndpointSubset[] };

export type SliceEndpoint = {
  addresses: string[];
  conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
  hostname?: string;
  nodeName?: string;
  zone?: string;
  targetRef?: ObjectReference;
};
export type EndpointSlice = KubeObject & {
  addressType: string;
  endpoints?: SliceEndpoint[] | null;
  ports?: EndpointPort[] | null;
};

/** `namespace/name` of a Service or of anything named after one. */
export function serviceKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** The Service type with the API's default. */
export function serviceType(service: Service): string {
  return service.spec?.type ?? "ClusterIP";
}

/** A selector that selects: absent and empty selectors select nothing (Kubernetes drops empty maps). */
export function serviceSelector(service: Service): Record<string, string> | undefined {
  const selector = service.spec?.selector;
  return selector && Object.keys(selector).length > 0 ? selector : undefined;
}

/** Whether the Service has a cluster IP (not headless, not yet unallocated). */
export function hasClusterIP(service: Service): boolean {
  const ip = service.spec?.clusterIP;
  return ip !== undefined && ip !== "" && ip !== CLUSTER_IP_NONE;
}

/** Whether every label of `selector` is on `labels`. */
export function selectorMatches(
  selector: Record<string, string>,
  labels: Record<string, string> | undefined,
): boolean {
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

/** A pod's Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

/** The pod's IPv4 addresses, from `podIPs` or else `podIP`. */
export function podIPv4s(pod: Pod): string[] {
  const listed = pod.status?.podIPs?.map((entry) => entry.ip) ?? [];
  const ips = listed.length > 0 ? listed : pod.status?.podIP ? [pod.status.podIP] : [];
  return ips.filter(isIPv4);
}

/** Whether `text` is a dotted-quad IPv4 address. */
export function isIPv4(text: string): boolean {
  const parts = text.split(".");
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/** The protocol of a port, with the API's default. */
export function protocolOf(port: { protocol?: string }): string {
  return port.protocol ?? "TCP";
}
