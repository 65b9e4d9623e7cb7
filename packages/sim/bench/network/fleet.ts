import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ChildProcesses } from "@atoll/bench-kit";
import { HttpKubeClient } from "@atoll/kube/http-client";
import type { AdminAddress } from "@atoll/sim";
import { connectMembers, type MeshTarget, readMeshMember, waitForMesh } from "@atoll/sim/mesh/index";
import { busyAddresses } from "../free-addresses.ts";
import { SimProcess } from "../sim-process.ts";
import { BackendProcess } from "./backend.ts";

/** One member, an `atoll sim` process of its own, as the benchmark reaches it. */
export type NetworkMember = {
  name: string;
  id: number;
  /** Its API over HTTPS, with the kubeconfig `atoll sim` wrote. */
  api: HttpKubeClient;
  /** The same, as `atoll mesh` addresses a member. */
  target: MeshTarget;
  admin: AdminAddress;
  sim: SimProcess;
};

/** Members in their own processes, plus the process that runs their pods' servers. */
export type NetworkFleet = {
  members: NetworkMember[];
  backend: BackendProcess;
  close(): void;
};

export type NetworkFleetOptions = {
  members: number;
  /** Member k8s-N gets id firstId + N - 1, so it owns 127.<id>.0.0/16. */
  firstId: number;
  /** API server port on each member's address; the admin endpoint listens on the next one. */
  port: number;
  repoRoot: string;
  tempDir: string;
  log: (line: string) => void;
};

/**
 * Starts `members` members (`atoll sim --storage memory --nodes 1`, one per
 * process, started together) and the backend process. Refuses to start when
 * something already listens on a member's API or admin address.
 */
export async function startNetworkFleet(
  children: ChildProcesses,
  options: NetworkFleetOptions,
): Promise<NetworkFleet> {
  const ids = Array.from({ length: options.members }, (_, i) => options.firstId + i);
  const busy = await busyAddresses(
    ids.map((id) => `127.${id}.0.1`),
    [options.port, options.port + 1],
  );
  if (busy.length > 0)
    throw new Error(`already in use: ${busy.join(", ")}; pick other ids with --first-id or --port`);
  const backend = await BackendProcess.start(children, options.repoRoot);
  const members = await Promise.all(
    ids.map((id, i) => startMember(children, { ...options, id, name: `k8s-${i + 1}` })),
  );
  options.log(`${members.map((m) => `${m.name} (id ${m.id}, pid ${m.sim.pid})`).join(", ")} ready`);
  return {
    members,
    backend,
    close() {
      for (const member of members) member.api.close();
    },
  };
}

async function startMember(
  children: ChildProcesses,
  options: NetworkFleetOptions & { id: number; name: string },
): Promise<NetworkMember> {
  const dataDir = join(options.tempDir, options.name);
  const sim = await SimProcess.start(children, {
    repoRoot: options.repoRoot,
    args: [
      ...["--name", options.name, "--id", String(options.id), "--port", String(options.port)],
      ...["--data-dir", dataDir, "--storage", "memory", "--nodes", "1"],
    ],
    members: 1,
    readyDeadlineMs: 60_000,
  });
  const kubeconfig = await readFile(sim.members[0].kubeconfig, "utf8");
  const admin = JSON.parse(await readFile(join(dataDir, "admin.json"), "utf8")) as AdminAddress;
  const api = HttpKubeClient.fromKubeconfigText(kubeconfig);
  return {
    name: options.name,
    id: options.id,
    api,
    target: { label: options.name, client: api, kubeconfig },
    admin,
    sim,
  };
}

/** Connects every pair of members, as `atoll mesh connect --all --wait` does, with the default detection settings. */
export async function meshFleet(fleet: NetworkFleet, timeoutMs: number): Promise<void> {
  const members = await Promise.all(fleet.members.map((m) => readMeshMember(m.target)));
  await connectMembers(members);
  await waitForMesh(members, timeoutMs);
}

/** Puts the member's API server down or up through its admin endpoint, as `atoll fault api-down|api-up` does. */
export async function setApiDown(member: NetworkMember, down: boolean): Promise<void> {
  const response = await fetch(`${member.admin.url}/faults/api`, {
    method: "POST",
    headers: { authorization: `Bearer ${member.admin.token}`, "content-type": "application/json" },
    body: JSON.stringify({ down }),
  });
  if (!response.ok)
    throw new Error(`failed to set ${member.name}'s API ${down ? "down" : "up"}: ${await response.text()}`);
}
