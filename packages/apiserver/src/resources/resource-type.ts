import type { Shape } from "../schema/shape.ts";

/** A column of a `kubectl get` table, as in a CRD's `additionalPrinterColumns`. */
export type PrinterColumn = {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  format?: string;
  description?: string;
  /** 0 shows always; higher shows only with `-o wide`. */
  priority?: number;
  /** A simple JSONPath (`.status.phase`, `.spec.replicas`), as CRDs use. */
  jsonPath: string;
};

export type ScaleSubresource = {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
};

/**
 * Everything the server knows about one served resource (one group/version/plural):
 * its names for discovery, its scope, subresources and structure.
 */
export type ResourceType = {
  /** "" for the core group. */
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** The URL segment: "pods", "deployments". */
  plural: string;
  singular: string;
  shortNames: readonly string[];
  categories: readonly string[];
  namespaced: boolean;
  verbs: readonly string[];
  subresources: { status?: boolean; scale?: ScaleSubresource };
  /** The object's structure (root shape of the kind). */
  shape: Shape;
  /** The name of the CRD that defines this resource; absent for built-ins. */
  definedBy?: string;
  /** Set for custom resources: columns from `additionalPrinterColumns`. */
  printerColumns?: readonly PrinterColumn[];
};

export const ALL_VERBS = [
  "create",
  "delete",
  "deletecollection",
  "get",
  "list",
  "patch",
  "update",
  "watch",
] as const;

/** `apps/v1` or `v1`. */
export function apiVersionOf(type: Pick<ResourceType, "group" | "version">): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}
