import { AGE, column, NAME, wide } from "../columns.ts";
import { formatLabelSelector, formatLabels, listWithMore } from "../format.ts";
import { timeSince } from "../human-duration.ts";
import type { LabelSelectorObject, ObjectMeta } from "../kube-types.ts";
import type { Printer } from "../table.ts";

type LoadBalancerStatus = { ingress?: { ip?: string; hostname?: string }[] };
type Service = {
  metadata?: ObjectMeta;
  spec?: {
    type?: string;
    clusterIP?: string;
    clusterIPs?: string[];
    externalIPs?: string[];
    externalName?: string;
    selector?: Record<string, string>;
    ports?: { port?: number; nodePort?: number; protocol?: string }[];
  };
  status?: { loadBalancer?: LoadBalancerStatus };
};
type Endpoints = {
  metadata?: ObjectMeta;
  subsets?: { addresses?: { ip?: string }[]; ports?: { port?: number }[] }[];
};
type EndpointSlice = {
  metadata?: ObjectMeta;
  addressType?: string;
  ports?: { port?: number; name?: string }[];
  endpoints?: { addresses?: string[] }[];
};
type Ingress = {
  metadata?: ObjectMeta;
  spec?: { ingressClassName?: string; rules?: { host?: string }[]; tls?: object[] };
  status?: { loadBalancer?: LoadBalancerStatus };
};
type IngressClass = {
  metadata?: ObjectMeta;
  spec?: { controller?: string; parameters?: { apiGroup?: string; kind?: string; name?: string } };
};
type NetworkPolicy = { metadata?: ObjectMeta; spec?: { podSelector?: LabelSelectorObject } };

/** Load-balancer IPs (or hostnames), sorted and unique. kube-apiserver prints tables wide, so never clipped. */
function loadBalancerAddresses(status: LoadBalancerStatus | undefined): string[] {
  const addresses = (status?.ingress ?? []).map((i) => i.ip || i.hostname || "").filter((a) => a !== "");
  return [...new Set(addresses)].sort();
}

function externalIP(svc: Service, type: string): string {
  const external = svc.spec?.externalIPs ?? [];
  switch (type) {
    case "ClusterIP":
    case "NodePort":
      return external.length > 0 ? external.join(",") : "<none>";
    case "LoadBalancer": {
      const all = [...loadBalancerAddresses(svc.status?.loadBalancer), ...external];
      return all.length > 0 ? all.join(",") : "<pending>";
    }
    case "ExternalName":
      return svc.spec?.externalName ?? "";
    default:
      return "<unknown>";
  }
}

function servicePorts(svc: Service): string {
  const ports = (svc.spec?.ports ?? []).map(({ port = 0, nodePort, protocol = "TCP" }) =>
    nodePort ? `${port}:${nodePort}/${protocol}` : `${port}/${protocol}`,
  );
  return ports.length > 0 ? ports.join(",") : "<none>";
}

/** Services: Name, Type, Cluster-IP, External-IP, Port(s) ("80:30080/TCP"), Age; wide Selector. */
export const servicePrinter: Printer = {
  columns: [
    NAME,
    column(
      "Type",
      "string",
      "How the service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.",
    ),
    column("Cluster-IP", "string", "The IP address of the service, usually assigned by the control plane."),
    column(
      "External-IP",
      "string",
      "IP addresses on which the service is reachable from outside the cluster.",
    ),
    column("Port(s)", "string", "The ports that are exposed by this service."),
    AGE,
    wide("Selector", "Route service traffic to pods with label keys and values matching this selector."),
  ],
  print(obj, { now }) {
    const svc = obj as Service;
    // The API defaults type to ClusterIP and fills clusterIPs from clusterIP.
    const type = svc.spec?.type ?? "ClusterIP";
    const clusterIP = svc.spec?.clusterIPs?.[0] ?? svc.spec?.clusterIP ?? "<none>";
    return {
      cells: [
        svc.metadata?.name ?? "",
        type,
        clusterIP,
        externalIP(svc, type),
        servicePorts(svc),
        timeSince(svc.metadata?.creationTimestamp, now),
        formatLabels(svc.spec?.selector),
      ],
    };
  },
};

function hostPort(ip: string, port: number): string {
  return ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function endpointAddresses(endpoints: Endpoints): string {
  const subsets = endpoints.subsets ?? [];
  if (subsets.length === 0) return "<none>";
  const all = subsets.flatMap(({ addresses = [], ports = [] }) =>
    ports.length === 0
      ? addresses.map((a) => a.ip ?? "")
      : ports.flatMap((p) => addresses.map((a) => hostPort(a.ip ?? "", p.port ?? 0))),
  );
  return listWithMore(all, 3, "");
}

/** Endpoints: Name, Endpoints ("10.0.0.1:80,10.0.0.2:80 + 3 more..."), Age. */
export const endpointsPrinter: Printer = {
  columns: [
    NAME,
    column("Endpoints", "string", "The set of all endpoints is the union of all subsets."),
    AGE,
  ],
  print(obj, { now }) {
    const ep = obj as Endpoints;
    return {
      cells: [ep.metadata?.name ?? "", endpointAddresses(ep), timeSince(ep.metadata?.creationTimestamp, now)],
    };
  },
};

/** EndpointSlices: Name, AddressType, Ports, Endpoints, Age. */
export const endpointSlicePrinter: Printer = {
  columns: [
    NAME,
    column("AddressType", "string", "The type of address carried by this EndpointSlice: IPv4, IPv6 or FQDN."),
    column("Ports", "string", "The network ports exposed by each endpoint in this slice."),
    column("Endpoints", "string", "The addresses of the endpoints in this slice."),
    AGE,
  ],
  print(obj, { now }) {
    const slice = obj as EndpointSlice;
    const ports = (slice.ports ?? []).map((p) =>
      typeof p.port === "number" ? String(p.port) : (p.name ?? "*"),
    );
    const addresses = (slice.endpoints ?? []).flatMap((e) => e.addresses ?? []);
    return {
      cells: [
        slice.metadata?.name ?? "",
        slice.addressType ?? "",
        listWithMore(ports, 3, "<unset>"),
        listWithMore(addresses, 3, "<unset>"),
        timeSince(slice.metadata?.creationTimestamp, now),
      ],
    };
  },
};

/** The first three hosts; "+ N more..." counts every further rule, host or not, as kube-apiserver does. */
function ingressHosts(rules: { host?: string }[]): string {
  const hosts: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (hosts.length === 3) more = true;
    if (!more && rule.host) hosts.push(rule.host);
  }
  if (hosts.length === 0) return "*";
  return more ? `${hosts.join(",")} + ${rules.length - 3} more...` : hosts.join(",");
}

/** Ingresses: Name, Class, Hosts, Address, Ports ("80" or "80, 443"), Age. */
export const ingressPrinter: Printer = {
  columns: [
    NAME,
    column(
      "Class",
      "string",
      "The name of the IngressClass resource that should be used for additional configuration",
    ),
    column("Hosts", "string", "Hosts that incoming requests are matched against before the ingress rule"),
    column("Address", "string", "Address is a list containing ingress points for the load-balancer"),
    column("Ports", "string", "Ports of TLS configurations that open"),
    AGE,
  ],
  print(obj, { now }) {
    const ing = obj as Ingress;
    return {
      cells: [
        ing.metadata?.name ?? "",
        ing.spec?.ingressClassName ?? "<none>",
        ingressHosts(ing.spec?.rules ?? []),
        loadBalancerAddresses(ing.status?.loadBalancer).join(","),
        (ing.spec?.tls ?? []).length > 0 ? "80, 443" : "80",
        timeSince(ing.metadata?.creationTimestamp, now),
      ],
    };
  },
};

/** IngressClasses: Name, Controller, Parameters ("Kind.group/name"), Age. */
export const ingressClassPrinter: Printer = {
  columns: [
    NAME,
    column("Controller", "string", "Controller that is responsible for handling this class"),
    column("Parameters", "string", "A reference to a resource with additional parameters"),
    AGE,
  ],
  print(obj, { now }) {
    const ic = obj as IngressClass;
    const p = ic.spec?.parameters;
    const parameters = p
      ? `${p.kind ?? ""}${p.apiGroup !== undefined ? `.${p.apiGroup}` : ""}/${p.name ?? ""}`
      : "<none>";
    return {
      cells: [
        ic.metadata?.name ?? "",
        ic.spec?.controller ?? "",
        parameters,
        timeSince(ic.metadata?.creationTimestamp, now),
      ],
    };
  },
};

/** NetworkPolicies: Name, Pod-Selector, Age. */
export const networkPolicyPrinter: Printer = {
  columns: [NAME, column("Pod-Selector", "string", "Selects the pods to which this policy applies."), AGE],
  print(obj, { now }) {
    const np = obj as NetworkPolicy;
    return {
      cells: [
        np.metadata?.name ?? "",
        formatLabelSelector(np.spec?.podSelector ?? {}),
        timeSince(np.metadata?.creationTimestamp, now),
      ],
    };
  },
};
