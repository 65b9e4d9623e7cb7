import {
  MCS_FIELD_MANAGER,
  SERVICE_EXPORTS,
  type ServiceExport,
  ServiceExportConditions,
  ServiceExportReasons,
} from "@atoll/api";
import { type KubeClient, StatusError } from "@atoll/kube";
import { nextConditions, type WantedCondition } from "./conditions.ts";
import type { Service } from "./core-objects.ts";
import {
  conflictReason,
  DEFAULT_AFFINITY_TIMEOUT_SECONDS,
  type DerivedService,
  type ExportedService,
} from "./derive.ts";
import { importTypeOf, portOf } from "./import-objects.ts";

/** Why an export is not part of the clusterset service. */
export type Invalidity = {
  reason: typeof ServiceExportReasons.NoService | typeof ServiceExportReasons.InvalidServiceType;
  message: string;
};

/** What one member's ServiceExport contributes: its Service's properties, or why it cannot be exported. */
export type ExportReading = { exported: ExportedService } | { invalid: Invalidity };

/** What the status of one ServiceExport says. */
export type ExportOutcome =
  | { valid: false; invalid: Invalidity }
  | {
      valid: true;
      derived: DerivedService;
      /** Members the import could not be written to, with why; empty when imported everywhere. */
      pending: string[];
    };

const OWNED_CONDITIONS: readonly string[] = Object.values(ServiceExportConditions);

/** Reads a member's export of `key` against the member's Service of the same name. */
export function readExport(
  member: string,
  key: string,
  serviceExport: ServiceExport,
  service: Service | undefined,
): ExportReading {
  if (!service || service.metadata.deletionTimestamp) {
    return { invalid: { reason: ServiceExportReasons.NoService, message: `Service ${key} does not exist` } };
  }
  if (service.spec?.type === "ExternalName") {
    const message = `Service ${key} is of type ExternalName, which cannot be exported`;
    return { invalid: { reason: ServiceExportReasons.InvalidServiceType, message } };
  }
  const clientIp = service.spec?.sessionAffinity === "ClientIP";
  const exported: ExportedService = {
    cluster: member,
    exportedAt: serviceExport.metadata.creationTimestamp ?? "",
    type: importTypeOf(service),
    ports: (service.spec?.ports ?? []).map(portOf),
    sessionAffinity: clientIp ? "ClientIP" : "None",
  };
  if (clientIp) {
    exported.timeoutSeconds =
      service.spec?.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS;
  }
  return { exported };
}

/** Valid, Ready and Conflict, as mcs-api defines them, for one export. */
export function exportConditions(outcome: ExportOutcome): WantedCondition[] {
  if (!outcome.valid) {
    const { reason, message } = outcome.invalid;
    return [
      { type: ServiceExportConditions.Valid, status: "False", reason, message },
      {
        type: ServiceExportConditions.Ready,
        status: "False",
        // A missing Service may yet be created; an ExternalName one must be changed.
        reason:
          reason === ServiceExportReasons.NoService
            ? ServiceExportReasons.Pending
            : ServiceExportReasons.Failed,
        message: `not exported: ${message}`,
      },
    ];
  }
  const { derived, pending } = outcome;
  const clusters = derived.constituents.map((c) => c.cluster).join(", ");
  const reason = conflictReason(derived);
  return [
    {
      type: ServiceExportConditions.Valid,
      status: "True",
      reason: ServiceExportReasons.Valid,
      message: "the Service can be exported",
    },
    pending.length === 0
      ? {
          type: ServiceExportConditions.Ready,
          status: "True",
          reason: ServiceExportReasons.Exported,
          message: `imported as a ${derived.type} service exported by ${clusters}`,
        }
      : {
          type: ServiceExportConditions.Ready,
          status: "False",
          reason: ServiceExportReasons.Pending,
          message: `not yet imported into ${pending.join("; ")}`,
        },
    reason
      ? {
          type: ServiceExportConditions.Conflict,
          status: "True",
          reason,
          message: `${derived.conflicts.map((c) => c.message).join("; ")}: the oldest export (${derived.constituents[0].cluster}) wins`,
        }
      : {
          type: ServiceExportConditions.Conflict,
          status: "False",
          reason: ServiceExportReasons.NoConflicts,
          message: "every export of this service agrees",
        },
  ];
}

/** Writes the export's conditions through its status subresource when they changed. */
export async function writeExportStatus(
  client: KubeClient,
  member: string,
  serviceExport: ServiceExport,
  outcome: ExportOutcome,
  now: Date,
): Promise<void> {
  const conditions = nextConditions(serviceExport.status?.conditions ?? [], exportConditions(outcome), {
    owned: OWNED_CONDITIONS,
    now,
  });
  if (!conditions) return;
  const { namespace, name = "" } = serviceExport.metadata;
  try {
    await client.patch(
      SERVICE_EXPORTS,
      namespace,
      name,
      "merge",
      { status: { conditions } },
      { subresource: "status", fieldManager: MCS_FIELD_MANAGER },
    );
  } catch (error) {
    if (error instanceof StatusError && error.reason === "NotFound") return;
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(
      `failed to write the status of ServiceExport ${namespace}/${name} in ${member}: ${message}`,
      {
        cause: error,
      },
    );
  }
}
