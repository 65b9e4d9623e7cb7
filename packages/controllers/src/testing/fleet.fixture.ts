/**
 * A real fleet for tests: a hub API server (memory storage) with every Atoll
 * CRD, N simulated members on their own loopback addresses joined through a
 * KubeBlocks-style kubeconfig Secret, and the member-cluster controller
 * running. Propagation controllers under test are started on top of it.
 * Everything runs in the test process and is stopped by `stop()`.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MEMBER_CLUSTERS, type MemberCluster } from "@atoll/api";
import { ApiServer, type ApiServerOptions, openStore, type Store } from "@atoll/apiserver";
import { isRecord, type KubeClient, type KubeObject, R } from "@atoll/kube";
import { HttpKubeClient } from "@atoll/kube/http-client";
import { kubeconfigDocument, MemberHost, type MemberOptions } from "@atoll/sim";
import { connectMembers, readMeshMember, waitForMesh } from "@atoll/sim/mesh/index";
import { type HubControllers, startHubControllers } from "../hub-controllers.ts";
import { memberForwardingResolver } from "../members/forwarding.ts";
import type { HealthSettings } from "../members/health.ts";
import { httpConnector } from "../members/http-connector.ts";
import { type PropagationContext, propagationContext } from "../propagation/context.ts";

export type FleetMember = {
  name: string;
  host: MemberHost;
  /** The member's own API, over HTTPS as the hub reaches it. */
  client: KubeClient;
};

export type TestFleet = {
  hubServer: ApiServer;
  /** The hub API over HTTP. */
  hub: KubeClient;
  /** A kubeconfig file for the hub (context `hub`), for kubectl. */
  hubKubeconfig: string;
  members: FleetMember[];
  member(name: string): FleetMember;
  /** The hub controllers (the member-cluster controller; `members.runtime(name)` gives a member's runtime). */
  controllers: HubControllers;
  /** A propagation context over this fleet's hub and members, for the controllers under test. */
  context: PropagationContext;
  dir: string;
  /** kubectl against the hub, stdin closed. */
  kubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
};

export type FleetOptions = {
  /** Member ids (each owns 127.<id>.0.0/16); one member per id, named k8s-1…k8s-N. Unique per test file. */
  ids: number[];
  /** Per-member settings: region, zone, provider, labels on the MemberCluster; node options for the sim. */
  memberSpec?: (index: number) => {
    region?: string;
    zone?: string;
    provider?: string;
    labels?: Record<string, string>;
  };
  simOptions?: (index: number) => Partial<MemberOptions>;
  health?: Partial<HealthSettings>;
  /** Every request the hub serves (for tests and measurements that count them). */
  onHubRequest?: ApiServerOptions["onRequest"];
  /** Run the propagation controllers too (detector, scheduling, binding, execution); default false. */
  propagation?: boolean;
  /** Run the Multi-Cluster Services controller too; default false. */
  mcs?: boolean;
  /** Run the instance controller (KubeBlocks Clusters) too; default false. */
  instances?: boolean;
  /** Mesh every pair of members (global services), as `atoll up` does; default false. */
  mesh?: boolean;
};

/** Fast health settings so tests see Unknown/taints in seconds. */
export const FAST_HEALTH: Partial<HealthSettings> = {
  probeIntervalMs: 200,
  unknownAfterMs: 1500,
  evictionTimeoutMs: 2500,
  probeTimeoutMs: 500,
};

export async function startFleet(options: FleetOptions): Promise<TestFleet> {
  const dir = await mkdtemp(join(tmpdir(), "atoll-fleet-"));
  const store: Store = await openStore("memory");
  // The hub forwards /clusters/{member}/… as `atoll apiserver` does (what `atoll get --all-clusters` uses).
  let hubServer: ApiServer | undefined;
  const forwarding = memberForwardingResolver(() => {
    if (!hubServer) throw new Error("the hub is not started");
    return hubServer.client("atoll-forwarding");
  });
  hubServer = await ApiServer.start({ store, onRequest: options.onHubRequest, forwarding });
  const hubKubeconfig = join(dir, "hub.kubeconfig");
  const hubDoc = kubeconfigDocument([{ name: "hub", server: hubServer.url, token: "unused" }]);
  await writeFile(hubKubeconfig, hubDoc);
  const hub = HttpKubeClient.fromKubeconfigText(hubDoc);
  const members: FleetMember[] = [];
  const stoppers: Array<() => Promise<void> | void> = [];
  const stop = async () => {
    for (const s of stoppers.reverse()) await s();
    await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  };
  stoppers.push(async () => {
    hub.close();
    await hubServer.stop();
    await store.close();
  });
  try {
    for (const [i, id] of options.ids.entries()) {
      const name = `k8s-${i + 1}`;
      const host = new MemberHost({
        name,
        id,
        dataDir: join(dir, name),
        storage: "memory",
        port: 6443,
        runtime: "simulate-all",
        ...options.simOptions?.(i),
      });
      await host.start();
      stoppers.push(() => host.stop());
      const sim = host.member;
      if (!sim) throw new Error(`member ${name} did not start`);
      const client = HttpKubeClient.fromKubeconfigText(
        kubeconfigDocument([{ name, server: sim.url, token: sim.token, caPem: sim.caPem }]),
      );
      stoppers.push(() => client.close());
      members.push({ name, host, client });
    }
    const kubeconfig = kubeconfigDocument(
      members.map((m) => ({
        name: m.name,
        server: m.host.member?.url ?? "",
        token: m.host.member?.token ?? "",
        caPem: m.host.member?.caPem,
      })),
    );
    if (options.mesh) {
      const meshed = await Promise.all(
        members.map((m) =>
          readMeshMember({
            label: m.name,
            client: m.client,
            kubeconfig: kubeconfigDocument([
              {
                name: m.name,
                server: m.host.member?.url ?? "",
                token: m.host.member?.token ?? "",
                caPem: m.host.member?.caPem,
              },
            ]),
          }),
        ),
      );
      await connectMembers(meshed);
      await waitForMesh(meshed, 15_000);
    }
    await hub.create(R.namespaces, undefined, { metadata: { name: "kb-system" } });
    await hub.create(R.secrets, "kb-system", {
      metadata: { name: "members" },
      type: "kubernetes.kubeconfig",
      stringData: { kubeconfig },
    });
    const controllers = await startHubControllers({
      hub,
      connect: httpConnector,
      health: options.health ?? FAST_HEALTH,
      propagation: options.propagation ?? false,
      mcs: options.mcs ?? false,
      instances: options.instances ?? false,
      kubeBlocks: {
        secret: { namespace: "kb-system", name: "members" },
        contexts: members.map((m) => m.name),
        disabledContexts: [],
      },
    });
    stoppers.push(() => controllers.stop());
    for (const [i, m] of members.entries()) {
      const spec = options.memberSpec?.(i);
      if (!spec) continue;
      const { labels, ...fields } = spec;
      await hub.patch(MEMBER_CLUSTERS, undefined, m.name, "merge", {
        metadata: labels ? { labels } : {},
        spec: fields,
      });
    }
    await until("every member Ready", async () => {
      const list = await hub.list(MEMBER_CLUSTERS);
      const ready = list.items.filter((mc) =>
        (mc as MemberCluster).status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
      );
      return ready.length === members.length;
    });
    const context = propagationContext({ hub, members: controllers.members });
    stoppers.push(() => context.hubInformers.stop());
    return {
      context,
      hubServer,
      hub,
      hubKubeconfig,
      members,
      member(name) {
        const found = members.find((m) => m.name === name);
        if (!found) throw new Error(`no member ${name}`);
        return found;
      },
      controllers,
      dir,
      kubectl: (args) => kubectl(["--kubeconfig", hubKubeconfig, "--cache-dir", join(dir, "cache"), ...args]),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Polls `check` until it returns something other than undefined/false; throws after `timeoutMs`. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A condition of an object's status by type. */
export function conditionOf(
  object: KubeObject | undefined,
  type: string,
): Record<string, unknown> | undefined {
  const conditions =
    isRecord(object?.status) && Array.isArray(object.status.conditions) ? object.status.conditions : [];
  return conditions.filter(isRecord).find((c) => c.type === type);
}

function kubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile("kubectl", args, { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    child.stdin?.end();
  });
}
