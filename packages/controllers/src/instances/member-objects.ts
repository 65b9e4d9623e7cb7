import { createHash } from "node:crypto";
import {
  AgentAnnotations,
  type Cluster,
  type ClusterComponentService,
  type ClusterComponentSpec,
  type ComponentDefinition,
  KUBEBLOCKS_MANAGED_BY,
  KubeBlocksAnnotations,
  KubeBlocksLabels,
  ServicePlacements,
} from "@atoll/api";
import { cloneJson, isRecord, type KubeObject, R, type ResourceId } from "@atoll/kube";

import { claimName, InstanceAnnotations, InstanceLabels, podName, podServiceName } from "./instance-names.ts";
import type { EnvVar, HostAlias } from "./vars.ts";

/** One object to write into one member. */
export type MemberObject = { resource: ResourceId; namespace: string; name: string; object: KubeObject };

/** What one replica needs in its member, and which of its pod services go to every member of the placement. */
export type ReplicaObjects = {
  pod: MemberObject;
  claims: MemberObject[];
  services: MemberObject[];
  mirrored: MemberObject[];
};

/**
 * The objects of replica `ordinal` of `component`: its pod (from the
 * definition's runtime, with the component's resources on every container
 * and a volume per claim template), a PVC per volumeClaimTemplate, and a
 * Service per `podService` service, selecting only this pod. `services` go
 * to the pod's member only (service placement `unique`); `mirrored` to
 * every member of the placement (`mirror`, the default). No ownerReferences:
 * nothing that spans clusters may be garbage-collected by a member.
 */
export function replicaObjects(
  cluster: Cluster,
  component: ClusterComponentSpec,
  definition: ComponentDefinition,
  ordinal: number,
  vars: { env: EnvVar[]; hostAliases: HostAlias[] } = { env: [], hostAliases: [] },
  template = "",
): ReplicaObjects {
  const namespace = cluster.metadata.namespace ?? "default";
  const clusterName = cluster.metadata.name ?? "";
  const pod = podName(clusterName, component.name, ordinal);
  const labels = {
    [KubeBlocksLabels.instance]: clusterName,
    [KubeBlocksLabels.managedBy]: KUBEBLOCKS_MANAGED_BY,
    [KubeBlocksLabels.componentName]: component.name,
    [InstanceLabels.cluster]: clusterName,
  };
  const claims = (component.volumeClaimTemplates ?? []).map((template) => {
    const name = claimName(template.name, pod);
    const object: KubeObject = {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name, namespace, labels },
      spec: template.spec ?? {},
    };
    return { resource: R.persistentvolumeclaims, namespace, name, object };
  });
  const unique: MemberObject[] = [];
  const mirrored: MemberObject[] = [];
  for (const service of component.services ?? []) {
    if (!service.podService) continue;
    const built = podService({
      cluster: clusterName,
      namespace,
      component,
      service,
      ordinal,
      pod,
      labels,
      definition,
    });
    const placement = service.annotations?.[KubeBlocksAnnotations.multiClusterServicePlacement];
    (placement === ServicePlacements.unique ? unique : mirrored).push(built);
  }
  const probe = roleProbeAnnotation(definition);
  const object: KubeObject = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: pod,
      namespace,
      labels: { ...labels, [InstanceLabels.podName]: pod },
      annotations: {
        ...(probe ? { [AgentAnnotations.roleProbe]: probe } : {}),
        ...(template ? { [InstanceAnnotations.templateDigest]: template } : {}),
      },
    },
    spec: podSpec(definition, component, pod, vars),
  };
  return { pod: { resource: R.pods, namespace, name: pod, object }, claims, services: unique, mirrored };
}

/**
 * The definition's role probe as the replica agent reads it (the agent runs
 * it where the replica runs and sets the pod's role label from its output).
 */
/** What a component's pods are made from, apart from vars: a change rolls its replicas. */
export function templateDigest(
  definition: ComponentDefinition,
  component: ClusterComponentSpec,
  restartedAt: string | undefined,
): string {
  const inputs = {
    runtime: definition.spec.runtime,
    roleProbe: definition.spec.lifecycleActions?.roleProbe,
    resources: component.resources,
    volumes: component.volumeClaimTemplates?.map((t) => t.name),
    restartedAt,
  };
  return createHash("sha256").update(JSON.stringify(inputs)).digest("hex").slice(0, 16);
}

function roleProbeAnnotation(definition: ComponentDefinition): string | undefined {
  const probe = definition.spec.lifecycleActions?.roleProbe;
  const action = probe?.customHandler;
  const command = action?.exec?.command;
  if (!probe || !Array.isArray(command) || command.length === 0) return undefined;
  return JSON.stringify({
    ...(action?.container ? { container: action.container } : {}),
    command: [...command, ...(action?.exec?.args ?? [])],
    periodSeconds: probe.periodSeconds ?? 2,
    timeoutSeconds: probe.timeoutSeconds ?? 1,
  });
}

function podSpec(
  definition: ComponentDefinition,
  component: ClusterComponentSpec,
  pod: string,
  vars: { env: EnvVar[]; hostAliases: HostAlias[] },
): Record<string, unknown> {
  const runtime = cloneJson(definition.spec.runtime);
  const containers = Array.isArray(runtime.containers) ? runtime.containers.filter(isRecord) : [];
  for (const container of containers) {
    if (component.resources) container.resources = cloneJson(component.resources);
    // The component's vars come first, so the container's own env may refer to them as $(VAR).
    const own = Array.isArray(container.env) ? container.env.filter(isRecord) : [];
    const env = [...vars.env.filter((v) => !own.some((o) => o.name === v.name)), ...own];
    if (env.length > 0) container.env = env;
  }
  if (vars.hostAliases.length > 0) {
    const own = Array.isArray(runtime.hostAliases) ? runtime.hostAliases : [];
    runtime.hostAliases = [...own, ...vars.hostAliases];
  }
  const volumes = Array.isArray(runtime.volumes) ? runtime.volumes.filter(isRecord) : [];
  for (const template of component.volumeClaimTemplates ?? []) {
    const volume = {
      name: template.name,
      persistentVolumeClaim: { claimName: claimName(template.name, pod) },
    };
    const at = volumes.findIndex((v) => v.name === template.name);
    if (at >= 0) volumes[at] = volume;
    else volumes.push(volume);
  }
  return { ...runtime, containers, ...(volumes.length ? { volumes } : {}) };
}

function podService(options: {
  cluster: string;
  namespace: string;
  component: ClusterComponentSpec;
  service: ClusterComponentService;
  ordinal: number;
  pod: string;
  labels: Record<string, string>;
  definition: ComponentDefinition;
}): MemberObject {
  const { namespace, service, pod, definition } = options;
  const name = podServiceName(options.cluster, options.component.name, service.name, options.ordinal);
  const object: KubeObject = {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name,
      namespace,
      labels: options.labels,
      ...(service.annotations ? { annotations: service.annotations } : {}),
    },
    spec: {
      type: service.serviceType ?? "ClusterIP",
      selector: { [InstanceLabels.podName]: pod },
      // Peers of a consensus engine must reach a replica before it is Ready: it is not Ready without them.
      publishNotReadyAddresses: true,
      ports: servicePorts(definition, service.name),
    },
  };
  return { resource: R.services, namespace, name, object };
}

/** The definition's ports for the named service, else every container port of its runtime (as KubeBlocks). */
function servicePorts(definition: ComponentDefinition, service: string): unknown[] {
  const declared = definition.spec.services?.find((s) => s.name === service)?.spec?.ports;
  if (Array.isArray(declared) && declared.length > 0) return declared;
  const containers = Array.isArray(definition.spec.runtime.containers)
    ? definition.spec.runtime.containers
    : [];
  return containers.filter(isRecord).flatMap((container) =>
    (Array.isArray(container.ports) ? container.ports.filter(isRecord) : []).map((port, i) => ({
      name: typeof port.name === "string" ? port.name : `port-${i}`,
      port: port.containerPort,
      targetPort: port.containerPort,
      protocol: port.protocol ?? "TCP",
    })),
  );
}
