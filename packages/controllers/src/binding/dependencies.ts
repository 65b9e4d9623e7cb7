import type { KubeObject, ResourceId } from "@atoll/kube";
import { isRecord, R } from "@atoll/kube";
import { splitApiVersion } from "../propagation/resource-mapper.ts";

/** The kinds that follow a workload when its binding has propagateDeps, in the order they join its Work. */
export const DEPENDENCY_RESOURCES = {
  ConfigMap: R.configmaps,
  Secret: R.secrets,
  ServiceAccount: R.serviceaccounts,
  PersistentVolumeClaim: R.persistentvolumeclaims,
} as const satisfies Record<string, ResourceId>;

export type DependencyKind = keyof typeof DEPENDENCY_RESOURCES;

/** An object in the template's namespace that its pods need. */
export type DependencyRef = { kind: DependencyKind; namespace: string; name: string };

/** The index value of a dependency: `Kind/namespace/name`. */
export function dependencyKey(ref: DependencyRef): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}

const KIND_ORDER = Object.keys(DEPENDENCY_RESOURCES) as DependencyKind[];

/**
 * The ConfigMaps, Secrets, ServiceAccount and PersistentVolumeClaims a
 * workload's pod template names — through volumes (projected sources too),
 * env valueFrom, envFrom and imagePullSecrets of every container, its
 * serviceAccountName (other than "default", which every namespace has), and
 * persistentVolumeClaim volumes — in its own namespace, each once, ordered
 * by kind (ConfigMap, Secret, ServiceAccount, PersistentVolumeClaim) then
 * name. Kinds without a pod template have none.
 */
export function dependenciesOf(template: KubeObject): DependencyRef[] {
  const namespace = template.metadata.namespace;
  const podSpec = podSpecOf(template);
  if (!namespace || !podSpec) return [];
  const found = new Map<string, DependencyRef>();
  const add = (kind: DependencyKind, name: unknown) => {
    if (typeof name !== "string" || name === "") return;
    const ref = { kind, namespace, name };
    found.set(dependencyKey(ref), ref);
  };
  for (const volume of records(podSpec.volumes)) {
    add("ConfigMap", field(volume.configMap, "name"));
    add("Secret", field(volume.secret, "secretName"));
    add("PersistentVolumeClaim", field(volume.persistentVolumeClaim, "claimName"));
    const projected = isRecord(volume.projected) ? volume.projected : {};
    for (const source of records(projected.sources)) {
      add("ConfigMap", field(source.configMap, "name"));
      add("Secret", field(source.secret, "name"));
    }
  }
  const containers = [podSpec.initContainers, podSpec.containers, podSpec.ephemeralContainers].flatMap(
    records,
  );
  for (const container of containers) {
    for (const env of records(container.env)) {
      const from = isRecord(env.valueFrom) ? env.valueFrom : {};
      add("ConfigMap", field(from.configMapKeyRef, "name"));
      add("Secret", field(from.secretKeyRef, "name"));
    }
    for (const source of records(container.envFrom)) {
      add("ConfigMap", field(source.configMapRef, "name"));
      add("Secret", field(source.secretRef, "name"));
    }
  }
  for (const secret of records(podSpec.imagePullSecrets)) add("Secret", secret.name);
  const account = podSpec.serviceAccountName ?? podSpec.serviceAccount;
  if (account !== "default") add("ServiceAccount", account);
  return [...found.values()].sort(
    (a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || (a.name < b.name ? -1 : 1),
  );
}

/** Where each workload kind keeps its pod spec. */
const POD_SPEC_PATHS: Record<string, string[]> = {
  "apps/Deployment": ["spec", "template", "spec"],
  "apps/StatefulSet": ["spec", "template", "spec"],
  "apps/ReplicaSet": ["spec", "template", "spec"],
  "apps/DaemonSet": ["spec", "template", "spec"],
  "batch/Job": ["spec", "template", "spec"],
  "batch/CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
  "/Pod": ["spec"],
};

function podSpecOf(template: KubeObject): Record<string, unknown> | undefined {
  const path = POD_SPEC_PATHS[`${splitApiVersion(template.apiVersion ?? "").group}/${template.kind}`];
  let node: unknown = template;
  for (const step of path ?? []) node = isRecord(node) ? node[step] : undefined;
  return path && isRecord(node) ? node : undefined;
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function field(value: unknown, name: string): unknown {
  return isRecord(value) ? value[name] : undefined;
}
