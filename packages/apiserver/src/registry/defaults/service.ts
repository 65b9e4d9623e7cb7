import { isRecord, type KubeObject } from "../../api/object.ts";
import { child, ensureChild, items, type JsonObject, setIfUnset, setIfZero } from "./json-fields.ts";

/** How long a ClientIP session sticks when the client says nothing: three hours. */
const DEFAULT_CLIENT_IP_TIMEOUT_SECONDS = 10800;
/** The cluster Atoll stands in for is single-stack IPv4: its one service IP family. */
const CLUSTER_IP_FAMILY = "IPv4";
const HEADLESS = "None";

/**
 * A Service, as `SetDefaults_Service` leaves it: `type: ClusterIP`,
 * `sessionAffinity: None` (which drops any `sessionAffinityConfig`, as
 * Kubernetes does) or ClientIP's 10800 s timeout, port `protocol: TCP` and
 * `targetPort` = `port`, `internalTrafficPolicy: Cluster` except for
 * ExternalName, `externalTrafficPolicy: Cluster` when reachable from outside,
 * `allocateLoadBalancerNodePorts: true` and ingress `ipMode: VIP` for
 * LoadBalancers.
 *
 * Then what kube-apiserver's service storage fills before allocating IPs,
 * for a single-stack IPv4 cluster: `clusterIPs` from `clusterIP`,
 * `ipFamilyPolicy` and `ipFamilies`. `clusterIP` itself and node ports are
 * left to allocation.
 */
export function defaultService(service: KubeObject): void {
  const spec = ensureChild(service, "spec");
  if (!spec) return;
  defaultSessionAffinity(spec);
  setIfZero(spec, "type", "ClusterIP");
  for (const port of items(spec, "ports")) {
    setIfZero(port, "protocol", "TCP");
    if (typeof port.port === "number") setIfZero(port, "targetPort", port.port);
  }
  if (externallyAccessible(spec)) setIfZero(spec, "externalTrafficPolicy", "Cluster");
  if (spec.type !== "ExternalName") setIfUnset(spec, "internalTrafficPolicy", "Cluster");
  if (spec.type === "LoadBalancer") {
    setIfUnset(spec, "allocateLoadBalancerNodePorts", true);
    for (const ingress of items(child(child(service, "status"), "loadBalancer"), "ingress")) {
      if (typeof ingress.ip === "string" && ingress.ip !== "") setIfUnset(ingress, "ipMode", "VIP");
    }
  }
  defaultIpFamilies(spec);
}

function defaultSessionAffinity(spec: JsonObject): void {
  setIfZero(spec, "sessionAffinity", "None");
  if (spec.sessionAffinity === "None") delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity !== "ClientIP") return;
  const timeout = child(child(spec, "sessionAffinityConfig"), "clientIP")?.timeoutSeconds;
  if (timeout === undefined || timeout === null) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_TIMEOUT_SECONDS } };
  }
}

/** Node ports, load balancers and external IPs make a service reachable from outside the cluster. */
function externallyAccessible(spec: JsonObject): boolean {
  if (spec.type === "LoadBalancer" || spec.type === "NodePort") return true;
  return spec.type === "ClusterIP" && Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0;
}

/**
 * A headless service without a selector may front endpoints of either family,
 * so it asks for both; anything else is single-stack, in the families of the
 * cluster IPs it names or else the cluster's family.
 */
function defaultIpFamilies(spec: JsonObject): void {
  if (spec.type === "ExternalName") return;
  const clusterIPs = stringList(spec.clusterIPs);
  if (typeof spec.clusterIP === "string" && spec.clusterIP !== "" && clusterIPs.length === 0) {
    spec.clusterIPs = [spec.clusterIP];
    clusterIPs.push(spec.clusterIP);
  }
  const selectorless = !isRecord(spec.selector) || Object.keys(spec.selector).length === 0;
  const headlessSelectorless = spec.clusterIP === HEADLESS && selectorless;
  setIfUnset(spec, "ipFamilyPolicy", headlessSelectorless ? "RequireDualStack" : "SingleStack");
  const given = Array.isArray(spec.ipFamilies) ? spec.ipFamilies : [];
  // Malformed families are validation's to reject, not ours to replace.
  if (stringList(given).length !== given.length) return;
  const families = stringList(given);
  for (const [i, ip] of clusterIPs.entries()) {
    if (ip === HEADLESS) break;
    if (i >= families.length) families.push(ip.includes(":") ? "IPv6" : "IPv4");
  }
  if (families.length === 0) families.push(CLUSTER_IP_FAMILY);
  if (headlessSelectorless && families.length === 1 && spec.ipFamilyPolicy !== "SingleStack") {
    families.push(families[0] === "IPv4" ? "IPv6" : "IPv4");
  }
  if (families.length !== given.length) spec.ipFamilies = families;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}
