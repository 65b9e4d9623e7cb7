/**
 * A test fleet running the MCS controller: the fleet fixture's hub and
 * simulated members, the MCS CRDs installed in every member (what member
 * bootstrap does once it is wired), and helpers for pods that really answer
 * TCP on their pod IPs.
 */
import { mcsCrds } from "@atoll/api";
import { isRecord, type KubeClient, type KubeObject, R } from "@atoll/kube";
import { startEcho } from "@atoll/sim/network/testing";
import { type PropagationContext, propagationContext } from "../propagation/context.ts";
import { FAST_HEALTH, startFleet, type TestFleet, until } from "../testing/fleet.fixture.ts";
import { McsController, type McsControllerOptions } from "./mcs-controller.ts";

export type McsFleet = {
  fleet: TestFleet;
  context: PropagationContext;
  controller: McsController;
  /** Every reconcile failure, as `controller key: message`. */
  errors: string[];
  /** Starts a pod that answers `<member>:<message>` on its pod IP at `port`. */
  startPod(
    member: string,
    pod: { namespace: string; name: string; labels: Record<string, string>; port: number },
  ): Promise<string>;
  stop(): Promise<void>;
};

export async function startMcsFleet(ids: number[], options: McsControllerOptions = {}): Promise<McsFleet> {
  const fleet = await startFleet({ ids, health: FAST_HEALTH });
  const echoes: Array<() => Promise<void>> = [];
  const errors: string[] = [];
  let context: PropagationContext | undefined;
  let controller: McsController | undefined;
  const stop = async () => {
    controller?.stop();
    context?.hubInformers.stop();
    for (const close of echoes) await close();
    await fleet.stop();
  };
  try {
    for (const member of fleet.members) await installCrds(member.client);
    context = propagationContext({
      hub: fleet.hub,
      members: fleet.controllers.members,
      onError: (name, key, error) =>
        errors.push(`${name} ${key}: ${error instanceof Error ? error.message : String(error)}`),
    });
    controller = new McsController(context, options);
    controller.start();
    return {
      fleet,
      context,
      controller,
      errors,
      async startPod(member, pod) {
        const client = fleet.member(member).client;
        await client.create(R.pods, pod.namespace, {
          metadata: { name: pod.name, labels: pod.labels },
          spec: {
            containers: [{ name: "echo", image: "echo", ports: [{ name: "echo", containerPort: pod.port }] }],
          },
        });
        const ip = await until(`pod ${member}/${pod.namespace}/${pod.name} ready`, async () => {
          const live = await client.get(R.pods, pod.namespace, pod.name);
          const status = isRecord(live?.status) ? live.status : {};
          const ready = Array.isArray(status.conditions)
            ? status.conditions.some((c) => isRecord(c) && c.type === "Ready" && c.status === "True")
            : false;
          return ready && typeof status.podIP === "string" ? status.podIP : undefined;
        });
        const echo = await startEcho(ip, member, pod.port);
        echoes.push(() => echo.close());
        return ip;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Creates a namespace in each of `members`. */
export async function createNamespace(fleet: TestFleet, name: string, members: string[]): Promise<void> {
  for (const member of members)
    await fleet.member(member).client.create(R.namespaces, undefined, { metadata: { name } });
}

/** The objects of `resource` in a member's namespace carrying `labels`. */
export async function listLabelled(
  client: KubeClient,
  resource: typeof R.endpointslices,
  namespace: string,
  labels: Record<string, string>,
): Promise<KubeObject[]> {
  const labelSelector = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  return (await client.list(resource, { namespace, labelSelector })).items;
}

async function installCrds(client: KubeClient): Promise<void> {
  for (const crd of mcsCrds()) {
    await client.patch(R.customresourcedefinitions, undefined, crd.metadata.name ?? "", "apply", crd, {
      fieldManager: "atoll-hub",
      force: true,
    });
  }
  for (const crd of mcsCrds()) {
    await until(`CRD ${crd.metadata.name} established`, async () => {
      const live = await client.get(R.customresourcedefinitions, undefined, crd.metadata.name ?? "");
      const conditions =
        isRecord(live?.status) && Array.isArray(live.status.conditions) ? live.status.conditions : [];
      return conditions.some((c) => isRecord(c) && c.type === "Established" && c.status === "True");
    });
  }
}
