import { isRecord, type KubeObject } from "@atoll/kube";
import type { PeerState } from "./peer-link.ts";
import { CLUSTERMESH_STATUS_CONFIGMAP, MESH_NAMESPACE } from "./well-known.ts";

/** What a member sees of one peer. */
export type PeerStatus = {
  name: string;
  state: PeerState;
  /** When the state last changed (RFC 3339). */
  since: string;
  /** Why it is not Connected, when it is not. */
  message?: string;
  /** This member's global Services the peer adds endpoints to. */
  services: number;
  /** The peer's endpoints those Services use now (address:port pairs, over all ports). */
  endpoints: number;
};

/** A member's view of its mesh, as its mesh component publishes it. */
export type MeshStatus = {
  member: string;
  id: number;
  /** This member's Services annotated `service.cilium.io/global: "true"`. */
  globalServices: number;
  peers: PeerStatus[];
};

const KEY = "status.json";

/** The ConfigMap `kube-system/atoll-clustermesh-status` holding `status`. */
export function meshStatusConfigMap(status: MeshStatus): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: CLUSTERMESH_STATUS_CONFIGMAP, namespace: MESH_NAMESPACE },
    data: { [KEY]: JSON.stringify(status) },
  };
}

/** The status a ConfigMap holds, or undefined when it holds none. */
export function meshStatusOf(configMap: KubeObject | undefined): MeshStatus | undefined {
  const data = isRecord(configMap?.data) ? configMap.data : {};
  const text = data[KEY];
  if (typeof text !== "string") return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) && Array.isArray(parsed.peers) ? (parsed as MeshStatus) : undefined;
  } catch {
    return undefined;
  }
}
