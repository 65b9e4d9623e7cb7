import { type KubeClient, type KubeObject, R, StatusError } from "@atoll/kube";
import {
  standaloneKubeconfig as exportContext,
  pickContext,
  readKubeconfig,
} from "@atoll/kube/http/kubeconfig-data";
import { type ClusterInfo, parseClusterInfo } from "./cluster-info.ts";
import { MeshError, MeshFailure } from "./mesh-error.ts";
import { emptyMeshSecret, type PeerEntry, peerDataPatch, peersOfSecret } from "./mesh-secret.ts";
import { type MeshStatus, meshStatusOf } from "./mesh-status.ts";
import type { PeerState } from "./peer-link.ts";
import { meshProblems } from "./requirements.ts";
import {
  CLUSTER_INFO_CONFIGMAP,
  CLUSTERMESH_SECRET,
  CLUSTERMESH_STATUS_CONFIGMAP,
  MESH_FIELD_MANAGER,
  MESH_NAMESPACE,
} from "./well-known.ts";

/** A member as `atoll mesh` addresses it. */
export type MeshTarget = {
  /** How the user named it (its kubeconfig context): used in messages. */
  label: string;
  client: KubeClient;
  /** A self-contained kubeconfig (one context) the member's peers reach it with. */
  kubeconfig: string;
};

/** A member's published identity and the peers its mesh Secret records. */
export type MeshMember = MeshTarget & { info: ClusterInfo; peers: Map<string, PeerEntry> };

/**
 * One context of a kubeconfig as a kubeconfig of its own (cluster, user and
 * context only; current-context set), to be stored in a peer. Throws the
 * KubeconfigError naming what is missing.
 */
export function standaloneKubeconfig(text: string, context: string): string {
  return exportContext(pickContext(readKubeconfig(text), context));
}

/**
 * Reads what meshing needs from a member: its identity and its current peers.
 * MeshError Unreachable when it does not answer, NoClusterInfo when it is not
 * an Atoll simulated member, InvalidClusterInfo when its identity is unreadable.
 */
export async function readMeshMember(target: MeshTarget): Promise<MeshMember> {
  const read = async (resource: typeof R.configmaps, name: string) => {
    try {
      return await target.client.get(resource, MESH_NAMESPACE, name);
    } catch (error) {
      if (
        error instanceof StatusError &&
        (error.reason === "ServiceUnavailable" || error.reason === "Timeout")
      ) {
        throw new MeshError(MeshFailure.Unreachable, `cannot reach ${target.label}: ${error.message}`, {
          cause: error,
        });
      }
      throw new Error(`failed to read ${MESH_NAMESPACE}/${name} in ${target.label}: ${String(error)}`, {
        cause: error,
      });
    }
  };
  const configMap = await read(R.configmaps, CLUSTER_INFO_CONFIGMAP);
  if (!configMap) {
    throw new MeshError(
      MeshFailure.NoClusterInfo,
      `${target.label} publishes no ${MESH_NAMESPACE}/${CLUSTER_INFO_CONFIGMAP}: only Atoll's simulated members can be meshed`,
    );
  }
  const info = parseClusterInfo(
    configMap.data,
    `${target.label}'s ${MESH_NAMESPACE}/${CLUSTER_INFO_CONFIGMAP}`,
  );
  const secret = await read(R.secrets, CLUSTERMESH_SECRET);
  return { ...target, info, peers: peersOfSecret(secret) };
}

/**
 * Checks Cilium's requirements over the members to connect and the peers
 * each already has (a new peer must fit the whole mesh it joins). Throws
 * MeshError RequirementsNotMet listing every problem.
 */
export function checkMeshRequirements(members: readonly MeshMember[]): void {
  const labels = new Map<ClusterInfo, string>();
  for (const member of members) {
    labels.set(
      member.info,
      member.label === member.info.name ? member.label : `${member.info.name} (context ${member.label})`,
    );
  }
  const same = (a: ClusterInfo, b: ClusterInfo) => a.name === b.name && a.id === b.id;
  for (const member of members) {
    for (const peer of member.peers.values()) {
      const info = peer.info;
      if (!info || [...labels.keys()].some((known) => same(known, info))) continue;
      labels.set(info, `${info.name} (a peer of ${member.info.name})`);
    }
  }
  const problems = meshProblems([...labels.keys()], { label: (info) => labels.get(info) ?? info.name });
  if (problems.length === 0) return;
  const what = members.map((m) => m.label).join(", ");
  throw new MeshError(
    MeshFailure.RequirementsNotMet,
    `cannot mesh ${what}:\n${problems.map((p) => `  - ${p.reason}: ${p.message}`).join("\n")}`,
  );
}

/**
 * Connects every pair of `members` (checked first): each member's mesh
 * Secret gets every other member's kubeconfig and identity, one write per
 * member. Existing peers are kept.
 */
export async function connectMembers(members: readonly MeshMember[]): Promise<void> {
  checkMeshRequirements(members);
  for (const member of members) {
    const add = members
      .filter((other) => other !== member)
      .map((other) => ({ name: other.info.name, kubeconfig: other.kubeconfig, info: other.info }));
    await writePeers(member, add, []);
  }
}

/** Removes `peers` (by name) from the member's mesh Secret; absent ones are ignored. */
export async function removePeers(target: MeshTarget, peers: readonly string[]): Promise<void> {
  await writePeers(target, [], peers);
}

/** The status a member's mesh component last published, or undefined before it has. */
export async function readMeshStatus(target: MeshTarget): Promise<MeshStatus | undefined> {
  return meshStatusOf(await target.client.get(R.configmaps, MESH_NAMESPACE, CLUSTERMESH_STATUS_CONFIGMAP));
}

/** A peer as `atoll mesh status` shows it: as reported, or Pending while the member has not reported on it. */
export type PeerView = {
  name: string;
  state: PeerState | "Pending";
  since?: string;
  message?: string;
  services?: number;
  endpoints?: number;
};

/** A member's mesh from outside: its identity, and every peer its Secret names or it reports on. */
export type MeshView = { member: string; id: number; globalServices?: number; peers: PeerView[] };

export async function meshViewOf(target: MeshTarget): Promise<MeshView> {
  const member = await readMeshMember(target);
  const status = await readMeshStatus(target);
  const reported = new Map((status?.peers ?? []).map((p) => [p.name, p]));
  const names = [...new Set([...member.peers.keys(), ...reported.keys()])].sort();
  return {
    member: member.info.name,
    id: member.info.id,
    globalServices: status?.globalServices,
    peers: names.map((name): PeerView => reported.get(name) ?? { name, state: "Pending" }),
  };
}

/**
 * Polls each member's published status until every other member of
 * `members` is its Connected peer; on timeout, fails naming each pair that is not.
 */
export async function waitForMesh(members: readonly MeshMember[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending: string[] = [];
    for (const member of members) {
      const status = await readMeshStatus(member).catch(() => undefined);
      for (const other of members) {
        if (other === member) continue;
        const peer = status?.peers.find((p) => p.name === other.info.name);
        if (peer?.state === "Connected") continue;
        const detail = peer ? `${peer.state}${peer.message ? `: ${peer.message}` : ""}` : "not picked up yet";
        pending.push(`${member.info.name} sees ${other.info.name} ${detail}`);
      }
    }
    if (pending.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs / 1000}s waiting for the mesh:\n  ${pending.join("\n  ")}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function writePeers(target: MeshTarget, add: PeerEntry[], remove: readonly string[]): Promise<void> {
  const { client } = target;
  const options = { fieldManager: MESH_FIELD_MANAGER };
  const data = peerDataPatch(add, remove);
  const failed = (error: unknown) =>
    new Error(
      `failed to write ${MESH_NAMESPACE}/${CLUSTERMESH_SECRET} in ${target.label}: ${String(error)}`,
      {
        cause: error,
      },
    );
  try {
    await client.patch(R.secrets, MESH_NAMESPACE, CLUSTERMESH_SECRET, "merge", { data }, options);
  } catch (error) {
    if (!(error instanceof StatusError && error.reason === "NotFound")) throw failed(error);
    if (add.length === 0) return;
    const secret: KubeObject = { ...emptyMeshSecret(), data: withoutNulls(data) };
    await client.create(R.secrets, MESH_NAMESPACE, secret, options).catch((e: unknown) => {
      throw failed(e);
    });
  }
}

function withoutNulls(data: Record<string, string | null>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(data).filter((entry): entry is [string, string] => entry[1] !== null),
  );
}
