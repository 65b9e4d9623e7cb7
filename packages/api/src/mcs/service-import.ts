import type { KubeObject, ResourceId } from "@atoll/kube";
import type { Condition } from "../cluster/member-cluster.ts";
import { MCS_GROUP, MCS_VERSION } from "./mcs-names.ts";

/** ServiceImports are written by the MCS controller into every member that has the namespace. */
export const SERVICE_IMPORTS: ResourceId = {
  group: MCS_GROUP,
  version: MCS_VERSION,
  resource: "serviceimports",
  kind: "ServiceImport",
  namespaced: true,
};

export const ServiceImportTypes = {
  /** Reached through one virtual IP (the ClusterSet IP) spreading over every exporter's endpoints. */
  ClusterSetIP: "ClusterSetIP",
  /** No virtual IP: consumers address the endpoints themselves. */
  Headless: "Headless",
} as const;
export type ServiceImportType = (typeof ServiceImportTypes)[keyof typeof ServiceImportTypes];

/** A port of an imported service: what consumers connect to (the pods' ports are in the EndpointSlices). */
export type McsServicePort = {
  name?: string;
  protocol?: "TCP" | "UDP" | "SCTP";
  appProtocol?: string;
  port: number;
};

export type SessionAffinityConfig = { clientIP?: { timeoutSeconds?: number } };

export type ServiceImportSpec = {
  ports: McsServicePort[];
  /** The ClusterSet IP, for type ClusterSetIP (at most one in v1alpha1). */
  ips?: string[];
  type: ServiceImportType;
  sessionAffinity?: "None" | "ClientIP";
  sessionAffinityConfig?: SessionAffinityConfig;
};

export type ServiceImportStatus = {
  /** The members exporting the service. */
  clusters?: Array<{ cluster: string }>;
  conditions?: Condition[];
};

export type ServiceImport = KubeObject & { spec: ServiceImportSpec; status?: ServiceImportStatus };
