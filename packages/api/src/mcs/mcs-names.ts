import { createHash } from "node:crypto";

/** The Multi-Cluster Services API group (KEP-1645, sigs.k8s.io/mcs-api) and the version Atoll serves. */
export const MCS_GROUP = "multicluster.x-k8s.io";
export const MCS_VERSION = "v1alpha1";

/** Labels the KEP puts on imported EndpointSlices. */
export const McsLabels = {
  /** The ServiceImport an imported EndpointSlice belongs to. */
  serviceName: "multicluster.kubernetes.io/service-name",
  /** The member whose endpoints an imported EndpointSlice holds. */
  sourceCluster: "multicluster.kubernetes.io/source-cluster",
} as const;

export const McsAnnotations = {
  /** On a ServiceImport: the selector-less Service in the same member whose cluster IP is its ClusterSet IP. */
  derivedService: "multicluster.kubernetes.io/derived-service",
} as const;

/**
 * Kubernetes' own EndpointSlice labels, as the MCS controller writes them.
 * kube-proxy (and the sim's proxy) route a Service to the slices naming it in
 * `serviceName`; the EndpointSlice controllers only touch slices whose
 * `managedBy` is theirs.
 */
export const EndpointSliceLabels = {
  serviceName: "kubernetes.io/service-name",
  managedBy: "endpointslice.kubernetes.io/managed-by",
} as const;

/** The `endpointslice.kubernetes.io/managed-by` value of the slices Atoll's MCS controller imports. */
export const MCS_ENDPOINTSLICE_MANAGER = "atoll-mcs";

/** The field manager of every write of Atoll's MCS controller in members. */
export const MCS_FIELD_MANAGER = "atoll-mcs";

/**
 * The name of the derived Service of the ServiceImport `namespace/name`:
 * `derived-` and ten characters of a digest, as the mcs-api reference
 * controller names it, so the name is a valid Service name (63 characters at
 * most) whatever the import is called, and stable across restarts.
 */
export function derivedServiceName(namespace: string, name: string): string {
  const digest = createHash("sha256").update(`${namespace}/${name}`).digest();
  return `derived-${base32Hex(digest).slice(0, 10)}`;
}

const BASE32_HEX = "0123456789abcdefghijklmnopqrstuv";

/** RFC 4648 base32 with the extended hex alphabet, lower case, no padding. */
function base32Hex(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_HEX[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32_HEX[(buffer << (5 - bits)) & 31];
  return out;
}
