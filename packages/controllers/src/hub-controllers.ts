import {
  COMPONENT_DEFINITIONS,
  KUBECONFIG_SECRET,
  kubeBlocksCrds,
  MEMBER_CLUSTERS,
  mcsCrds,
  memberClusterCrd,
  policyCrds,
} from "@atoll/api";
import type { Clock, KubeClient, KubeObject, Runnable } from "@atoll/kube";
import { Informer, isRecord, Manager, R, StatusError, systemClock } from "@atoll/kube";
import { builtInDefinitions } from "./instances/definitions/etcd.ts";
import { InstanceController } from "./instances/index.ts";
import { McsController } from "./mcs/mcs-controller.ts";
import type { Connector } from "./members/connection.ts";
import type { HealthSettings } from "./members/health.ts";
import { MemberClusterController } from "./members/member-cluster-controller.ts";
import { OpsController } from "./ops/index.ts";
import { propagationContext } from "./propagation/context.ts";
import { type PropagationOptions, propagationRunnables } from "./propagation/propagation.ts";

/** KubeBlocks' multi-cluster settings: one kubeconfig Secret, the contexts to use, and those disabled. */
export type KubeBlocksMembers = {
  secret: { namespace: string; name: string };
  contexts: string[];
  disabledContexts: string[];
};

export type HubControllersOptions = {
  /** The hub's API. */
  hub: KubeClient;
  connect: Connector;
  clock?: Clock;
  health?: Partial<HealthSettings>;
  kubeBlocks?: KubeBlocksMembers;
  /** Propagation (detector, scheduling, binding, execution): on unless false. */
  propagation?: boolean | PropagationOptions;
  /** The Multi-Cluster Services controller (ServiceExport → ServiceImport across members): on unless false. */
  mcs?: boolean;
  /** The instance controller (KubeBlocks Clusters whose replicas span members): on unless false. */
  instances?: boolean;
  onError?: (controller: string, key: string, error: unknown) => void;
};

/** The running hub controllers. */
export type HubControllers = Runnable & { members: MemberClusterController };

/**
 * Starts the hub controllers against a hub API: installs Atoll's CRDs (and
 * waits until they are served), creates MemberClusters from KubeBlocks-style
 * settings when given, then runs the member-cluster controller.
 */
export async function startHubControllers(options: HubControllersOptions): Promise<HubControllers> {
  const clock = options.clock ?? systemClock;
  await installCrds(options.hub);
  if (options.kubeBlocks) await applyKubeBlocksMembers(options.hub, options.kubeBlocks);
  const memberClusters = new Informer(options.hub, MEMBER_CLUSTERS);
  const secrets = new Informer(options.hub, R.secrets, { fieldSelector: `type=${KUBECONFIG_SECRET.type}` });
  const members = new MemberClusterController({
    client: options.hub,
    memberClusters,
    secrets,
    connect: options.connect,
    clock,
    health: options.health,
    onError: options.onError,
  });
  const manager = new Manager();
  manager.add(secrets);
  manager.add(memberClusters);
  manager.add(members);
  memberClusters.start();
  secrets.start();
  await Promise.all([memberClusters.synced(), secrets.synced()]);
  const context = propagationContext({ hub: options.hub, members, clock, onError: options.onError });
  manager.add({ start: () => {}, stop: () => context.hubInformers.stop() });
  if (options.propagation !== false) {
    const settings =
      options.propagation === true || options.propagation === undefined ? {} : options.propagation;
    for (const runnable of propagationRunnables(context, settings)) manager.add(runnable);
  }
  if (options.mcs !== false) manager.add(new McsController(context));
  if (options.instances !== false) {
    await installBuiltInDefinitions(options.hub);
    manager.add(new InstanceController(context));
    manager.add(new OpsController(context));
  }
  await manager.start();
  return {
    members,
    start: () => {},
    stop: () => manager.stop(),
  };
}

/**
 * Applies every Atoll CRD (members, policies, bindings, Works, the MCS API's
 * so ServiceExports can be propagated from the hub, and KubeBlocks' Cluster,
 * ComponentDefinition and OpsRequest) and waits until each is served.
 */
async function installCrds(hub: KubeClient): Promise<void> {
  const crds = [memberClusterCrd(), ...policyCrds(), ...mcsCrds(), ...kubeBlocksCrds()];
  for (const crd of crds) {
    await hub.patch(R.customresourcedefinitions, undefined, crd.metadata.name ?? "", "apply", crd, {
      fieldManager: "atoll-controllers",
      force: true,
    });
  }
  await Promise.all(crds.map((crd) => waitEstablished(hub, crd)));
}

/** Applies Atoll's built-in ComponentDefinitions (etcd-0.9.0), restoring them if they were changed. */
async function installBuiltInDefinitions(hub: KubeClient): Promise<void> {
  for (const definition of builtInDefinitions()) {
    await hub.patch(COMPONENT_DEFINITIONS, undefined, definition.metadata.name ?? "", "apply", definition, {
      fieldManager: "atoll-controllers",
      force: true,
    });
  }
}

async function waitEstablished(hub: KubeClient, crd: KubeObject): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const current = await hub.get(R.customresourcedefinitions, undefined, crd.metadata.name ?? "");
    const conditions =
      current && isRecord(current.status) && Array.isArray(current.status.conditions)
        ? current.status.conditions
        : [];
    if (conditions.some((c) => isRecord(c) && c.type === "Established" && c.status === "True")) return;
    if (Date.now() > deadline) throw new Error(`CRD ${crd.metadata.name} did not become Established`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One MemberCluster per context of the KubeBlocks kubeconfig Secret, disabled as the settings say. */
async function applyKubeBlocksMembers(hub: KubeClient, settings: KubeBlocksMembers): Promise<void> {
  for (const context of settings.contexts) {
    const member = {
      apiVersion: `${MEMBER_CLUSTERS.group}/${MEMBER_CLUSTERS.version}`,
      kind: MEMBER_CLUSTERS.kind,
      metadata: { name: context },
      spec: {
        kubeconfig: { secretRef: settings.secret, key: KUBECONFIG_SECRET.key, context },
        disabled: settings.disabledContexts.includes(context),
      },
    };
    try {
      await hub.patch(MEMBER_CLUSTERS, undefined, context, "apply", member, {
        fieldManager: "atoll-multi-cluster-flags",
        force: true,
      });
    } catch (error) {
      if (error instanceof StatusError)
        throw new Error(`creating MemberCluster ${context}: ${error.message}`, { cause: error });
      throw error;
    }
  }
}
