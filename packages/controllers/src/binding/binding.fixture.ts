/** Helpers for binding-controller tests: templates and bindings written straight to the hub, as the detector and scheduler would. */
import { randomUUID } from "node:crypto";
import {
  executionNamespace,
  type GracefulEvictionTask,
  type Placement,
  PropagationFinalizers,
  PropagationLabels,
  RESOURCE_BINDINGS,
  type ResourceBinding,
  type TargetCluster,
  WORKS,
  type Work,
} from "@atoll/api";
import type { KubeClient, KubeObject } from "@atoll/kube";
import { R } from "@atoll/kube";
import { type PropagationContext, propagationContext } from "../propagation/context.ts";
import { bindingName, workName } from "../propagation/names.ts";
import type { TestFleet } from "../testing/fleet.fixture.ts";
import { BindingController } from "./binding-controller.ts";

/** A KubeClient that counts the writes made through it. */
export function countingClient(client: KubeClient): { client: KubeClient; writes: string[] } {
  const writes: string[] = [];
  const record = (
    verb: string,
    resource: { resource: string },
    namespace: string | undefined,
    name: string,
  ) => writes.push(`${verb} ${resource.resource} ${namespace ? `${namespace}/` : ""}${name}`);
  return {
    writes,
    client: {
      get: (...args) => client.get(...args),
      list: (...args) => client.list(...args),
      watch: (...args) => client.watch(...args),
      create: (resource, namespace, object, options) => {
        record("create", resource, namespace, object.metadata.name ?? "");
        return client.create(resource, namespace, object, options);
      },
      update: (resource, namespace, object, options) => {
        record("update", resource, namespace, object.metadata.name ?? "");
        return client.update(resource, namespace, object, options);
      },
      patch: (resource, namespace, name, type, patch, options) => {
        record(`patch${options?.subresource ? `/${options.subresource}` : ""}`, resource, namespace, name);
        return client.patch(resource, namespace, name, type, patch, options);
      },
      delete: (resource, namespace, name, options) => {
        record("delete", resource, namespace, name);
        return client.delete(resource, namespace, name, options);
      },
    },
  };
}

export type BindingHarness = {
  context: PropagationContext;
  controller: BindingController;
  /** Every write the controller made to the hub, as `verb resource namespace/name`. */
  writes: string[];
  /** Every reconcile error reported, as `controller key: error`. */
  errors: string[];
  stop(): void;
};

/** A running BindingController on the fleet, with its own informer pool over a write-counting hub client. */
export function startBindingController(fleet: TestFleet): BindingHarness {
  const counting = countingClient(fleet.hub);
  const errors: string[] = [];
  const context = propagationContext({
    hub: counting.client,
    members: fleet.controllers.members,
    onError: (controller, key, error) => errors.push(`${controller} ${key}: ${error}`),
  });
  const controller = new BindingController(context);
  controller.start();
  // Stands in for the execution stage, whose finalizer Works are created with: a Work being deleted is let go.
  const release = (work: KubeObject) => {
    if (
      !work.metadata.deletionTimestamp ||
      !work.metadata.finalizers?.includes(PropagationFinalizers.execution)
    )
      return;
    const finalizers = work.metadata.finalizers.filter((f) => f !== PropagationFinalizers.execution);
    fleet.hub
      .patch(WORKS, work.metadata.namespace, work.metadata.name ?? "", "merge", { metadata: { finalizers } })
      .catch(() => {});
  };
  context.hubInformers.informer(WORKS, { onAdd: release, onUpdate: release });
  return {
    context,
    controller,
    writes: counting.writes,
    errors,
    stop: () => {
      controller.stop();
      context.hubInformers.stop();
    },
  };
}

export async function createNamespace(fleet: TestFleet, name: string): Promise<void> {
  await fleet.hub.create(R.namespaces, undefined, { metadata: { name } });
}

export function deployment(
  namespace: string,
  name: string,
  replicas: number,
  podSpec: object = {},
): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "web", image: "nginx:1.27" }], ...podSpec },
      },
    },
  };
}

export type BindingSpecInput = {
  clusters: TargetCluster[];
  placement?: Placement;
  propagateDeps?: boolean;
  gracefulEvictionTasks?: GracefulEvictionTask[];
};

/** The ResourceBinding the detector would write for a namespaced template, with the scheduler's clusters. */
export async function createBinding(
  hub: KubeClient,
  template: KubeObject,
  spec: BindingSpecInput,
): Promise<ResourceBinding> {
  const name = bindingName(template.metadata.name ?? "", template.kind ?? "");
  return (await hub.create(RESOURCE_BINDINGS, template.metadata.namespace, {
    apiVersion: `${RESOURCE_BINDINGS.group}/${RESOURCE_BINDINGS.version}`,
    kind: RESOURCE_BINDINGS.kind,
    metadata: {
      name,
      namespace: template.metadata.namespace,
      labels: { [PropagationLabels.resourceBindingId]: randomUUID() },
    },
    spec: {
      resource: {
        apiVersion: template.apiVersion ?? "",
        kind: template.kind ?? "",
        namespace: template.metadata.namespace,
        name: template.metadata.name ?? "",
      },
      ...spec,
    },
  })) as ResourceBinding;
}

/** The Work of a binding in a member, read from the hub. */
export async function workOf(
  hub: KubeClient,
  binding: KubeObject,
  member: string,
): Promise<Work | undefined> {
  const name = workName({ namespace: binding.metadata.namespace, name: binding.metadata.name ?? "" });
  return (await hub.get(WORKS, executionNamespace(member), name)) as Work | undefined;
}

/** The manifests of a Work (empty when there is none). */
export function manifestsOf(work: Work | undefined): KubeObject[] {
  return work?.spec.workload.manifests ?? [];
}
