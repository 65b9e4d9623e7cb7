import {
  type Cluster,
  type ClusterComponentService,
  type ClusterComponentSpec,
  type ComponentDefinition,
  KUBEBLOCKS_MANAGED_BY,
  KubeBlocksAnnotations,
  KubeBlocksLabels,
  ServicePlacements,
} from "@atoll/api";
import { isRecord, type KubeObject, R, type ResourceId } from "@atoll/kube";
import { claimName, InstanceLabels, podName, podServiceName } from "./instance-names.ts";

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
  const object: KubeObject = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: pod, namespace, labels: { ...labels, [InstanceLabels.podName]: pod } },
    spec: podSpec(definition, component, pod),
  };
  return { pod: { resource: R.pods, namespace, name: pod, object }, claims, services: unique, mirrored };
}

function podSpec(
  definition: ComponentDefinition,
  component: ClusterComponentSpec,
  pod: string,
): Record<string, unknown> {
  const runtime = structuredClone(definition.spec.runtime);
  const containers = Array.isArray(runtime.containers) ? runtime.containers.filter(isRecord) : [];
  if (component.resources) {
    for (const container of containers) container.resources = structuredClone(component.resources);
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
