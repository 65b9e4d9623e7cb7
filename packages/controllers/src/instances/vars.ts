import {
  type Cluster,
  type ClusterComponentSpec,
  type ComponentDefinition,
  KubeBlocksAnnotations,
  ServicePlacements,
  type ServiceVarSelector,
} from "@atoll/api";
import { isRecord, type KubeObject } from "@atoll/kube";
import { podServiceName } from "./instance-names.ts";
import type { ReplicaPlacement } from "./placement.ts";

/** A container environment variable, as a PodSpec has it. */
export type EnvVar = { name: string; value?: string; valueFrom?: Record<string, unknown> };

/** A pod's /etc/hosts entry (PodSpec `hostAliases`). */
export type HostAlias = { ip: string; hostnames: string[] };

/** What the var resolver reads of the members: a pod service's copy in one member, and a member's node addresses. */
export type VarLookup = {
  /** The Service `name` in `member`, as that member's API last showed it; undefined when absent or unknown. */
  service(member: string, namespace: string, name: string): KubeObject | undefined;
  /** An InternalIP of a Ready node of `member` (where its node ports listen); undefined when none is known. */
  nodeAddress(member: string): string | undefined;
};

/** The variables of one component: env for every container, /etc/hosts entries per member, and what is still missing. */
export type ResolvedVars = {
  env: EnvVar[];
  /** Member → the host aliases a pod in that member gets (peer service names at that member's copies). */
  hostAliases(member: string): HostAlias[];
  /** Why a replica may not start yet: the vars that cannot be resolved, each with its reason. Empty when ready. */
  waiting: string[];
};

/**
 * Resolves a component's vars as KubeBlocks does before it starts a replica:
 * literal values, ConfigMap/Secret keys (passed on as env references), and
 * service vars over the instance's pod services — one `<service>:<value>`
 * entry per replica, comma-separated. For a pod service:
 *
 * - `host` is the service's name, which every pod resolves through a host
 *   alias to the copy of that service in its own member (a global service
 *   routes it to the peer), or to the copy in the peer's member when it has
 *   none of its own (`unique` placement); for a NodePort service, a node
 *   address of the peer's member, since a node port is what other members
 *   can reach;
 * - `loadBalancer` is the load-balancer ingress address of the peer's copy;
 *   a LoadBalancer service holds the var until its address is assigned;
 * - `port` is the named port's `port`, or its `nodePort` on a NodePort service.
 *
 * KubeBlocks' built-in variables (`KB_POD_NAME`, `KB_POD_IP`, `KB_NAMESPACE`,
 * `KB_CLUSTER_NAME`, `KB_COMP_NAME`, `KB_CLUSTER_COMP_NAME`, `KB_COMP_REPLICAS`)
 * come first. A var nothing resolves is waited for unless it is optional.
 */
export function resolveVars(options: {
  cluster: Cluster;
  component: ClusterComponentSpec;
  definition: ComponentDefinition;
  /** The definition of another component's `compDef`, for vars that refer to it. */
  definitionOf(component: ClusterComponentSpec): ComponentDefinition | undefined;
  placement: ReplicaPlacement;
  lookup: VarLookup;
}): ResolvedVars {
  const { cluster, component, definition, placement, lookup } = options;
  const namespace = cluster.metadata.namespace ?? "default";
  const clusterName = cluster.metadata.name ?? "";
  const env: EnvVar[] = [
    { name: "KB_POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
    { name: "KB_POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
    { name: "KB_NAMESPACE", value: namespace },
    { name: "KB_CLUSTER_NAME", value: clusterName },
    { name: "KB_COMP_NAME", value: component.name },
    { name: "KB_CLUSTER_COMP_NAME", value: `${clusterName}-${component.name}` },
    { name: "KB_COMP_REPLICAS", value: String(component.replicas ?? 1) },
  ];
  const waiting: string[] = [];
  const aliases = new Map<string, Map<string, string>>();
  const alias = (member: string, host: string, ip: string) => {
    const own = aliases.get(member) ?? new Map<string, string>();
    aliases.set(member, own);
    own.set(host, ip);
  };
  for (const variable of definition.spec.vars ?? []) {
    const source = variable.valueFrom;
    if (!source) {
      env.push({ name: variable.name, value: variable.value ?? "" });
      continue;
    }
    if (isRecord(source.configMapKeyRef) || isRecord(source.secretKeyRef)) {
      const ref = isRecord(source.configMapKeyRef) ? "configMapKeyRef" : "secretKeyRef";
      env.push({ name: variable.name, valueFrom: { [ref]: source[ref] } });
      continue;
    }
    const selector = source.serviceVarRef;
    if (!selector) {
      waiting.push(
        `${variable.name}: only value, configMapKeyRef, secretKeyRef and serviceVarRef vars are supported`,
      );
      continue;
    }
    const target = targetComponent(cluster, component, selector, options.definitionOf);
    const service = target?.services?.find((s) => s.name === selector.name && s.podService);
    if (!target || !service) {
      if (!selector.optional) {
        waiting.push(
          `${variable.name}: no component has a pod service named ${selector.name ?? "(unnamed)"}`,
        );
      }
      env.push({ name: variable.name, value: "" });
      continue;
    }
    const members = placement[target.name] ?? [];
    const entries: string[] = [];
    const missing: string[] = [];
    for (const [ordinal, owner] of members.entries()) {
      const name = podServiceName(clusterName, target.name, service.name, ordinal);
      const copy = owner ? lookup.service(owner, namespace, name) : undefined;
      if (!owner || !copy) {
        missing.push(`service ${name} does not exist yet`);
        continue;
      }
      const value = serviceValue(selector, copy, owner, lookup);
      if ("missing" in value) {
        missing.push(`${name}: ${value.missing}`);
        continue;
      }
      if (value.host) {
        // A mirrored service has a copy in every member, and a pod must reach its peer through its own.
        const mirrored =
          service.annotations?.[KubeBlocksAnnotations.multiClusterServicePlacement] !==
          ServicePlacements.unique;
        for (const member of new Set(members.filter((m) => m !== ""))) {
          const local = lookup.service(member, namespace, name) ?? (mirrored ? undefined : copy);
          if (!local) {
            missing.push(`service ${name} does not exist in ${member} yet`);
            continue;
          }
          const ip = clusterIpOf(local);
          if (ip) alias(member, name, ip);
          else missing.push(`service ${name} has no cluster IP in ${member} yet`);
        }
      }
      entries.push(`${name}:${value.value}`);
    }
    if (missing.length > 0 && !selector.optional) waiting.push(`${variable.name}: ${missing.join("; ")}`);
    env.push({ name: variable.name, value: missing.length > 0 ? "" : entries.join(",") });
  }
  return {
    env,
    waiting,
    hostAliases(member) {
      const own = aliases.get(member);
      if (!own) return [];
      return [...own].map(([host, ip]) => ({
        ip,
        hostnames: [
          host,
          `${host}.${namespace}`,
          `${host}.${namespace}.svc`,
          `${host}.${namespace}.svc.cluster.local`,
        ],
      }));
    },
  };
}

/** The component a service var refers to: this one, or the first whose definition is `compDef`. */
function targetComponent(
  cluster: Cluster,
  component: ClusterComponentSpec,
  selector: ServiceVarSelector,
  definitionOf: (component: ClusterComponentSpec) => ComponentDefinition | undefined,
): ClusterComponentSpec | undefined {
  if (!selector.compDef || selector.compDef === component.componentDef) return component;
  return (cluster.spec.componentSpecs ?? []).find(
    (c) => c.componentDef === selector.compDef || definitionOf(c)?.metadata.name === selector.compDef,
  );
}

type ServiceValue = { value: string; host?: boolean } | { missing: string };

/** One replica's value of a service var, from its pod service's copy in its own member. */
function serviceValue(
  selector: ServiceVarSelector,
  service: KubeObject,
  owner: string,
  lookup: VarLookup,
): ServiceValue {
  const spec = isRecord(service.spec) ? service.spec : {};
  const type = typeof spec.type === "string" ? spec.type : "ClusterIP";
  const name = service.metadata.name ?? "";
  if (selector.host) {
    if (type !== "NodePort") return { value: name, host: true };
    const node = lookup.nodeAddress(owner);
    return node ? { value: node } : { missing: `no Ready node address in ${owner} yet` };
  }
  if (selector.loadBalancer) {
    if (type !== "LoadBalancer") return { value: "" };
    const ingress =
      isRecord(service.status) && isRecord(service.status.loadBalancer)
        ? service.status.loadBalancer.ingress
        : undefined;
    const first = Array.isArray(ingress) ? ingress.find(isRecord) : undefined;
    const address = first?.ip ?? first?.hostname;
    return typeof address === "string" && address !== ""
      ? { value: address }
      : { missing: "load-balancer address not assigned yet" };
  }
  if (selector.port) {
    const ports = Array.isArray(spec.ports) ? spec.ports.filter(isRecord) : [];
    const port = selector.port.name ? ports.find((p) => p.name === selector.port?.name) : ports[0];
    if (!port) return { missing: `no port named ${selector.port.name}` };
    if (type === "NodePort") {
      return typeof port.nodePort === "number"
        ? { value: String(port.nodePort) }
        : { missing: "node port not allocated yet" };
    }
    return { value: String(port.port) };
  }
  return { missing: "the var selects neither host, loadBalancer nor port" };
}

function clusterIpOf(service: KubeObject): string | undefined {
  const spec = isRecord(service.spec) ? service.spec : {};
  return typeof spec.clusterIP === "string" && spec.clusterIP !== "" && spec.clusterIP !== "None"
    ? spec.clusterIP
    : undefined;
}
