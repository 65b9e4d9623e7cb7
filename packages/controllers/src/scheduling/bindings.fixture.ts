/** Bindings written straight to a test fleet's hub, standing in for the detector. */
import {
  BindingConditions,
  MEMBER_CLUSTERS,
  type MemberCluster,
  type Placement,
  RESOURCE_BINDINGS,
  type ResourceBinding,
  type Taint,
} from "@atoll/api";
import { type KubeClient, R, StatusError } from "@atoll/kube";
import { until } from "../testing/fleet.fixture.ts";

export const NAMESPACE = "apps";

/** Creates the test namespace once. */
export async function ensureNamespace(hub: KubeClient): Promise<void> {
  try {
    await hub.create(R.namespaces, undefined, { metadata: { name: NAMESPACE } });
  } catch (error) {
    if (!(error instanceof StatusError && error.reason === "AlreadyExists")) throw error;
  }
}

/** A ResourceBinding for Deployment `name`, as the detector would write it. */
export async function createBinding(
  hub: KubeClient,
  name: string,
  spec: { replicas?: number; placement?: Placement; cpu?: string },
): Promise<ResourceBinding> {
  const binding = {
    apiVersion: "work.atoll.io/v1alpha1",
    kind: "ResourceBinding",
    metadata: { name: `${name}-deployment`, namespace: NAMESPACE },
    spec: {
      resource: { apiVersion: "apps/v1", kind: "Deployment", namespace: NAMESPACE, name },
      replicas: spec.replicas ?? 0,
      placement: spec.placement ?? {},
      ...(spec.cpu ? { replicaRequirements: { resourceRequest: { cpu: spec.cpu } } } : {}),
    },
  };
  return (await hub.create(RESOURCE_BINDINGS, NAMESPACE, binding)) as ResourceBinding;
}

export async function getBinding(hub: KubeClient, name: string): Promise<ResourceBinding> {
  const binding = await hub.get(RESOURCE_BINDINGS, NAMESPACE, `${name}-deployment`);
  if (!binding) throw new Error(`no binding for ${name}`);
  return binding as ResourceBinding;
}

/** spec.clusters as `{member: replicas}`. */
export function placed(binding: ResourceBinding): Record<string, number> {
  return Object.fromEntries((binding.spec.clusters ?? []).map((c) => [c.name, c.replicas ?? 0]));
}

export function scheduledCondition(binding: ResourceBinding) {
  return binding.status?.conditions?.find((c) => c.type === BindingConditions.Scheduled);
}

/** Waits until the scheduler has decided for the binding's current generation, and returns it. */
export function untilScheduled(hub: KubeClient, name: string, timeoutMs?: number): Promise<ResourceBinding> {
  return until(
    `binding ${name} scheduled`,
    async () => {
      const binding = await getBinding(hub, name);
      const condition = scheduledCondition(binding);
      const current =
        condition?.status === "True" &&
        binding.status?.schedulerObservedGeneration === binding.metadata.generation;
      return current ? binding : undefined;
    },
    timeoutMs,
  );
}

/** Sets a member's own (non-hub) taints. */
export async function setTaints(hub: KubeClient, member: string, taints: Taint[]): Promise<void> {
  const mc = (await hub.get(MEMBER_CLUSTERS, undefined, member)) as MemberCluster;
  const hubTaints = (mc.spec.taints ?? []).filter((t) => t.key.startsWith("cluster.atoll.io/"));
  await hub.patch(MEMBER_CLUSTERS, undefined, member, "merge", {
    spec: { taints: [...hubTaints, ...taints] },
  });
}

/** A NoExecute taint added now (seconds precision, as the API stores it). */
export function noExecute(key: string, addedAt = new Date()): Taint {
  return { key, effect: "NoExecute", timeAdded: `${addedAt.toISOString().slice(0, 19)}Z` };
}

/** A client that counts the writes going through it (patch, create, update, delete), for "no needless writes" checks. */
export function countingClient(inner: KubeClient): { client: KubeClient; writes: () => string[] } {
  const writes: string[] = [];
  const client: KubeClient = {
    get: (...args) => inner.get(...args),
    list: (...args) => inner.list(...args),
    watch: (...args) => inner.watch(...args),
    create: (resource, namespace, object, options) => {
      writes.push(`create ${resource.resource} ${namespace ?? ""}/${object.metadata.name}`);
      return inner.create(resource, namespace, object, options);
    },
    update: (resource, namespace, object, options) => {
      writes.push(`update ${resource.resource} ${namespace ?? ""}/${object.metadata.name}`);
      return inner.update(resource, namespace, object, options);
    },
    patch: (resource, namespace, name, type, patch, options) => {
      writes.push(
        `patch ${resource.resource}${options?.subresource ? `/${options.subresource}` : ""} ${namespace ?? ""}/${name}`,
      );
      return inner.patch(resource, namespace, name, type, patch, options);
    },
    delete: (resource, namespace, name, options) => {
      writes.push(`delete ${resource.resource} ${namespace ?? ""}/${name}`);
      return inner.delete(resource, namespace, name, options);
    },
  };
  return { client, writes: () => [...writes] };
}

/** Deletes the bindings of these Deployments (no finalizers: they go at once). */
export async function deleteBindings(hub: KubeClient, names: string[]): Promise<void> {
  for (const name of names) {
    await hub.delete(RESOURCE_BINDINGS, NAMESPACE, `${name}-deployment`).catch((error: unknown) => {
      if (!(error instanceof StatusError && error.reason === "NotFound")) throw error;
    });
  }
}
