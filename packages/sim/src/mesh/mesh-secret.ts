import { isRecord, type KubeObject } from "@atoll/kube";
import { type ClusterInfo, clusterInfoData, parseClusterInfo } from "./cluster-info.ts";
import {
  CLUSTERMESH_SECRET,
  MESH_NAMESPACE,
  PEER_INFO_SUFFIX,
  PEER_KUBECONFIG_SUFFIX,
} from "./well-known.ts";

/**
 * One peer as a member's `kube-system/atoll-clustermesh` Secret records it:
 * `<name>.kubeconfig` (how to reach the peer's API) and `<name>.cluster-info`
 * (its identity when it was connected, JSON).
 */
export type PeerEntry = { name: string; kubeconfig: string; info?: ClusterInfo };

/** The peers a Secret names, by name; entries without a kubeconfig are ignored. Unreadable identities are left out. */
export function peersOfSecret(secret: KubeObject | undefined): Map<string, PeerEntry> {
  const data = isRecord(secret?.data) ? (secret.data as Record<string, unknown>) : {};
  const text = (key: string) =>
    typeof data[key] === "string" ? Buffer.from(data[key] as string, "base64").toString("utf8") : undefined;
  const peers = new Map<string, PeerEntry>();
  for (const key of Object.keys(data).sort()) {
    if (!key.endsWith(PEER_KUBECONFIG_SUFFIX)) continue;
    const name = key.slice(0, -PEER_KUBECONFIG_SUFFIX.length);
    const kubeconfig = text(key) ?? "";
    if (!name || !kubeconfig) continue;
    peers.set(name, { name, kubeconfig, info: readInfo(text(`${name}${PEER_INFO_SUFFIX}`), name) });
  }
  return peers;
}

/** A merge patch of the Secret's `data` that adds (or replaces) `add` and removes `remove`. */
export function peerDataPatch(
  add: readonly PeerEntry[],
  remove: readonly string[] = [],
): Record<string, string | null> {
  const patch: Record<string, string | null> = {};
  for (const name of remove) {
    patch[`${name}${PEER_KUBECONFIG_SUFFIX}`] = null;
    patch[`${name}${PEER_INFO_SUFFIX}`] = null;
  }
  for (const peer of add) {
    patch[`${peer.name}${PEER_KUBECONFIG_SUFFIX}`] = base64(peer.kubeconfig);
    if (peer.info)
      patch[`${peer.name}${PEER_INFO_SUFFIX}`] = base64(JSON.stringify(clusterInfoData(peer.info)));
  }
  return patch;
}

/** A new, empty mesh Secret. */
export function emptyMeshSecret(): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: CLUSTERMESH_SECRET, namespace: MESH_NAMESPACE },
    type: "Opaque",
    data: {},
  };
}

function readInfo(json: string | undefined, name: string): ClusterInfo | undefined {
  if (!json) return undefined;
  try {
    return parseClusterInfo(JSON.parse(json), `the recorded identity of peer ${name}`);
  } catch {
    return undefined;
  }
}

function base64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}
