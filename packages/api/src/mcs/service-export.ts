import type { KubeObject, ResourceId } from "@atoll/kube";
import type { Condition } from "../cluster/member-cluster.ts";
import { MCS_GROUP, MCS_VERSION } from "./mcs-names.ts";

/** ServiceExports live in members, beside the Service of the same name they export. */
export const SERVICE_EXPORTS: ResourceId = {
  group: MCS_GROUP,
  version: MCS_VERSION,
  resource: "serviceexports",
  kind: "ServiceExport",
  namespaced: true,
};

export type ServiceExportSpec = {
  /** Labels to put on the ServiceImport (optional for implementations; Atoll does not export them). */
  exportedLabels?: Record<string, string>;
  /** Annotations to put on the ServiceImport (optional for implementations; Atoll does not export them). */
  exportedAnnotations?: Record<string, string>;
};

export type ServiceExport = KubeObject & {
  spec?: ServiceExportSpec;
  status?: { conditions?: Condition[] };
};

/** Condition types of a ServiceExport, as mcs-api names them. */
export const ServiceExportConditions = {
  /** The Service can be exported: it exists and is not ExternalName. */
  Valid: "Valid",
  /** The export is imported into every member that has its namespace. */
  Ready: "Ready",
  /** Some property differs between the exports of this name; the oldest export's value is used. */
  Conflict: "Conflict",
} as const;
export type ServiceExportConditionType =
  (typeof ServiceExportConditions)[keyof typeof ServiceExportConditions];

/** Reasons of ServiceExport conditions, as mcs-api defines them. */
export const ServiceExportReasons = {
  /** Valid=True. */
  Valid: "Valid",
  /** Valid=False: no Service of the export's name in its namespace. */
  NoService: "NoService",
  /** Valid=False: the Service is of a type that cannot be exported (ExternalName). */
  InvalidServiceType: "InvalidServiceType",
  /** Ready=True: the service is imported into every member that has the namespace. */
  Exported: "Exported",
  /** Ready=False: waiting (for a valid Service, or for writes to members to succeed). */
  Pending: "Pending",
  /** Ready=False: the export cannot be exported as it is. */
  Failed: "Failed",
  /** Conflict=True: ports differ (a name or a protocol/port pair defined differently, or different sets). */
  PortConflict: "PortConflict",
  /** Conflict=True: ClusterSetIP against headless. */
  TypeConflict: "TypeConflict",
  SessionAffinityConflict: "SessionAffinityConflict",
  SessionAffinityConfigConflict: "SessionAffinityConfigConflict",
  /** Conflict=False. */
  NoConflicts: "NoConflicts",
} as const;
export type ServiceExportReason = (typeof ServiceExportReasons)[keyof typeof ServiceExportReasons];
