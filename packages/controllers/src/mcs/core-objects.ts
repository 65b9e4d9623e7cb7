import type { KubeObject } from "@atoll/kube";

/** The fields of core/v1 Service and discovery/v1 EndpointSlice the MCS controller reads and writes. */

export type ServicePort = { name?: string; protocol?: string; port: number; appProtocol?: string };

export type Service = KubeObject & {
  spec?: {
    type?: string;
    clusterIP?: string;
    ports?: ServicePort[];
    sessionAffinity?: string;
    sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
  };
};

export type SlicePort = { name?: string; protocol?: string; port?: number; appProtocol?: string };

export type SliceEndpoint = {
  addresses: string[];
  conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
  hostname?: string;
  zone?: string;
};

export type EndpointSlice = KubeObject & {
  addressType: string;
  ports?: SlicePort[];
  endpoints?: SliceEndpoint[];
};
