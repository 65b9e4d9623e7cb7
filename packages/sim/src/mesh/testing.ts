import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type KubeClient, R } from "@atoll/kube";
import { HttpKubeClient } from "@atoll/kube/http-client";
import { MemberHost } from "../faults/member-host.ts";
import { kubeconfigDocument } from "../kubeconfig.ts";
import type { MemberOptions, SimMember } from "../member.ts";
import type { Service } from "../network/objects.ts";
import { createPod, type Echo, startEcho, until } from "../network/testing.ts";
import { connectMembers, type MeshTarget, readMeshMember, waitForMesh } from "./connect.ts";

/** Test support for the mesh: simulated members on their own addresses, reachable over HTTPS as peers reach them. */

export type TestMeshMember = {
  name: string;
  id: number;
  host: MemberHost;
  /** The member's API in process (for setting up pods and Services). */
  api: KubeClient;
  /** The member over HTTPS with a one-context kubeconfig, as `atoll mesh` addresses it. */
  target: MeshTarget;
};

export type TestMesh = {
  members: TestMeshMember[];
  dir: string;
  /** Every context in one kubeconfig document (names k8s-1…). */
  kubeconfig: string;
  stop(): Promise<void>;
};

/** Starts one member per id, named k8s-1…k8s-N, in memory, nothing run for real. */
export async function startTestMesh(
  ids: readonly number[],
  options: Partial<MemberOptions> = {},
): Promise<TestMesh> {
  const dir = await mkdtemp(join(tmpdir(), "atoll-mesh-"));
  const members: TestMeshMember[] = [];
  const clients: HttpKubeClient[] = [];
  const stop = async () => {
    for (const client of clients) client.close();
    for (const member of members) await member.host.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (const [i, id] of ids.entries()) {
      const name = `k8s-${i + 1}`;
      const host = new MemberHost({
        name,
        id,
        dataDir: join(dir, name),
        storage: "memory",
        runtime: "simulate-all",
        nodes: 1,
        ...options,
      });
      await host.start();
      const sim = running(host);
      const kubeconfig = kubeconfigDocument([contextOf(sim)]);
      const client = HttpKubeClient.fromKubeconfigText(kubeconfig);
      clients.push(client);
      members.push({
        name,
        id,
        host,
        api: sim.server.client("mesh-test"),
        target: { label: name, client, kubeconfig },
      });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const kubeconfig = kubeconfigDocument(members.map((m) => contextOf(running(m.host))));
  return { members, dir, kubeconfig, stop };
}

function running(host: MemberHost): SimMember {
  const member = host.member;
  if (!member) throw new Error("the member is down");
  return member;
}

function contextOf(member: SimMember) {
  return { name: member.name, server: member.url, token: member.token, caPem: member.caPem };
}

/** What a backend or Service is set up through: a member's name, id and API. */
export type BackendHost = Pick<TestMeshMember, "name" | "id" | "api">;

/**
 * A backend in a member: a TCP echo server on a pod IP of the member's own
 * range (answering `<reply>:<message>`) and a Pod with that IP, labelled
 * `app`, whose container port `echo` is the server's port. The pod sits on
 * a node the member's kubelet does not run, so the test owns its status.
 */
export async function startBackend(
  member: BackendHost,
  pod: { name: string; app: string; host: number; reply: string },
): Promise<{ echo: Echo; ip: string }> {
  const ip = `127.${member.id}.1.${pod.host}`;
  const echo = await startEcho(ip, pod.reply);
  await createPod(
    member.api,
    { name: pod.name, labels: { app: pod.app }, ip, ready: true, node: "outside" },
    [{ name: "echo", containerPort: echo.port }],
  );
  return { echo, ip };
}

/** Creates a Service for pods labelled `app` on port `port` (target port `echo`) and waits for its cluster IP. */
export async function createService(
  member: BackendHost,
  name: string,
  annotations: Record<string, string>,
  port = 8080,
): Promise<string> {
  await member.api.create(R.services, "default", {
    metadata: { name, annotations },
    spec: { selector: { app: name }, ports: [{ name: "tcp", port, targetPort: "echo" }] },
  });
  const service = await until(`${member.name}/${name} has a cluster IP`, async () => {
    const found = (await member.api.get(R.services, "default", name)) as Service | undefined;
    return found?.spec?.clusterIP ? found : undefined;
  });
  return service.spec?.clusterIP ?? "";
}

/** Connects every pair of a test mesh's members and waits until each sees every other Connected. */
export async function meshAll(mesh: TestMesh, timeoutMs = 20_000): Promise<void> {
  const members = await Promise.all(mesh.members.map((m) => readMeshMember(m.target)));
  await connectMembers(members);
  await waitForMesh(members, timeoutMs);
}
