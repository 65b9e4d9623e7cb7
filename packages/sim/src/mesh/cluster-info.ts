import type { KubeObject } from "@atoll/kube";
import { type AddressPlan, numberToIp, parseRange } from "../network/address-plan.ts";
import { MeshError, MeshFailure } from "./mesh-error.ts";
import { CLUSTER_INFO_CONFIGMAP, MESH_NAMESPACE } from "./well-known.ts";

/** What a member publishes so that peers and `atoll mesh connect` can check Cilium's requirements. */
export type ClusterInfo = {
  name: string;
  /** Cilium's cluster id: 1…255, unique in a mesh. */
  id: number;
  /** Inclusive [first, last] addresses, as 32-bit numbers. */
  podRange: readonly [number, number];
  serviceRange: readonly [number, number];
};

/** The string form kept in the ConfigMap and in peers' Secrets. */
export type ClusterInfoData = {
  name: string;
  id: string;
  "pod-range": string;
  "service-range": string;
};

export function clusterInfoOf(name: string, plan: AddressPlan): ClusterInfo {
  return { name, id: plan.memberId, podRange: plan.podRange, serviceRange: plan.serviceRange };
}

export function clusterInfoData(info: ClusterInfo): ClusterInfoData {
  return {
    name: info.name,
    id: String(info.id),
    "pod-range": formatRange(info.podRange),
    "service-range": formatRange(info.serviceRange),
  };
}

/** The ConfigMap `kube-system/atoll-cluster-info` a member writes about itself. */
export function clusterInfoConfigMap(info: ClusterInfo): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: CLUSTER_INFO_CONFIGMAP, namespace: MESH_NAMESPACE },
    data: clusterInfoData(info),
  };
}

/**
 * Reads a published identity (ConfigMap data or the JSON a peer's Secret
 * keeps). Throws MeshError InvalidClusterInfo naming `source` and the field.
 */
export function parseClusterInfo(data: unknown, source: string): ClusterInfo {
  const fields = (typeof data === "object" && data !== null ? data : {}) as Record<string, unknown>;
  const text = (key: keyof ClusterInfoData): string => {
    const value = fields[key];
    if (typeof value !== "string" || value === "") {
      throw new MeshError(MeshFailure.InvalidClusterInfo, `${source}: missing "${key}"`);
    }
    return value;
  };
  const range = (key: "pod-range" | "service-range"): readonly [number, number] => {
    try {
      return parseRange(text(key));
    } catch (error) {
      if (error instanceof MeshError) throw error;
      throw new MeshError(MeshFailure.InvalidClusterInfo, `${source}: bad "${key}": ${String(error)}`, {
        cause: error,
      });
    }
  };
  const id = Number(text("id"));
  if (!Number.isInteger(id)) {
    throw new MeshError(MeshFailure.InvalidClusterInfo, `${source}: "id" is not an integer: ${fields.id}`);
  }
  return { name: text("name"), id, podRange: range("pod-range"), serviceRange: range("service-range") };
}

export function formatRange([first, last]: readonly [number, number]): string {
  return `${numberToIp(first)}-${numberToIp(last)}`;
}
