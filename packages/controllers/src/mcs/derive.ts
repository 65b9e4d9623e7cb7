import {
  type McsServicePort,
  type ServiceExportReason,
  ServiceExportReasons,
  type ServiceImportType,
  ServiceImportTypes,
  type SessionAffinityConfig,
} from "@atoll/api";

/** Kubernetes' default ClientIP affinity timeout (three hours). */
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;

/** One member's export of a Service, as far as the merge is concerned. */
export type ExportedService = {
  cluster: string;
  /** The ServiceExport's creationTimestamp (RFC 3339): the oldest export wins a conflict. */
  exportedAt: string;
  type: ServiceImportType;
  /** The Service's ports, protocol defaulted to TCP and name to "". */
  ports: McsServicePort[];
  sessionAffinity: "None" | "ClientIP";
  /** Only for ClientIP affinity, defaulted. */
  timeoutSeconds?: number;
};

export type ConflictReason =
  | typeof ServiceExportReasons.PortConflict
  | typeof ServiceExportReasons.TypeConflict
  | typeof ServiceExportReasons.SessionAffinityConflict
  | typeof ServiceExportReasons.SessionAffinityConfigConflict;

/** One property on which an export disagrees with what the clusterset service uses. */
export type ConflictFinding = { reason: ConflictReason; cluster: string; message: string };

/** The clusterset service derived from every valid export of one namespace/name. */
export type DerivedService = {
  /** The constituent exports, oldest first (ties broken by member name). */
  constituents: ExportedService[];
  type: ServiceImportType;
  ports: McsServicePort[];
  sessionAffinity: "None" | "ClientIP";
  sessionAffinityConfig?: SessionAffinityConfig;
  conflicts: ConflictFinding[];
};

const REASON_ORDER: ConflictReason[] = [
  ServiceExportReasons.PortConflict,
  ServiceExportReasons.TypeConflict,
  ServiceExportReasons.SessionAffinityConflict,
  ServiceExportReasons.SessionAffinityConfigConflict,
];

/**
 * Merges exports as KEP-1645 says: global properties (headlessness, session
 * affinity and its config) come from the oldest export; ports are the union
 * of the exports' ports, merged first by name and then by protocol and port,
 * the oldest definition winning a clash. Any disagreement — including port
 * sets that are not all the same — is a conflict finding against the export
 * that differs. Undefined when there is no export.
 */
export function deriveService(exports: readonly ExportedService[]): DerivedService | undefined {
  if (exports.length === 0) return undefined;
  const constituents = [...exports].sort(
    (a, b) => a.exportedAt.localeCompare(b.exportedAt) || a.cluster.localeCompare(b.cluster),
  );
  const oldest = constituents[0];
  const conflicts: ConflictFinding[] = [];
  const ports = mergePorts(constituents, conflicts);
  for (const other of constituents.slice(1)) {
    if (other.type !== oldest.type) {
      conflicts.push({
        reason: ServiceExportReasons.TypeConflict,
        cluster: other.cluster,
        message: `${other.cluster} exports a ${describeType(other.type)} Service, ${oldest.cluster} a ${describeType(oldest.type)} one`,
      });
    }
    if (other.sessionAffinity !== oldest.sessionAffinity) {
      conflicts.push({
        reason: ServiceExportReasons.SessionAffinityConflict,
        cluster: other.cluster,
        message: `${other.cluster} has sessionAffinity ${other.sessionAffinity}, ${oldest.cluster} ${oldest.sessionAffinity}`,
      });
    } else if (other.timeoutSeconds !== oldest.timeoutSeconds) {
      conflicts.push({
        reason: ServiceExportReasons.SessionAffinityConfigConflict,
        cluster: other.cluster,
        message: `${other.cluster} keeps ClientIP affinity ${other.timeoutSeconds} s, ${oldest.cluster} ${oldest.timeoutSeconds} s`,
      });
    }
  }
  const derived: DerivedService = {
    constituents,
    type: oldest.type,
    ports,
    sessionAffinity: oldest.sessionAffinity,
    conflicts,
  };
  if (oldest.sessionAffinity === "ClientIP") {
    derived.sessionAffinityConfig = {
      clientIP: { timeoutSeconds: oldest.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS },
    };
  }
  return derived;
}

/** The distinct conflict reasons of a derived service, in a fixed order, comma-joined as mcs-api allows. */
export function conflictReason(derived: DerivedService): ServiceExportReason | string | undefined {
  const reasons = REASON_ORDER.filter((r) => derived.conflicts.some((c) => c.reason === r));
  return reasons.length > 0 ? reasons.join(",") : undefined;
}

/**
 * The import's ports this member's endpoints may take traffic for: those its
 * own Service defines exactly as the import does. Traffic for a port the
 * member defines differently (a lost conflict) or not at all goes only to
 * the members that do, as the KEP requires.
 */
export function servedPorts(derived: DerivedService, cluster: string): McsServicePort[] {
  const own = derived.constituents.find((c) => c.cluster === cluster);
  if (!own) return [];
  return derived.ports.filter((port) => own.ports.some((p) => samePort(p, port)));
}

/** `name`, protocol, port and appProtocol all equal. */
export function samePort(a: McsServicePort, b: McsServicePort): boolean {
  return (
    (a.name ?? "") === (b.name ?? "") &&
    (a.protocol ?? "TCP") === (b.protocol ?? "TCP") &&
    a.port === b.port &&
    (a.appProtocol ?? "") === (b.appProtocol ?? "")
  );
}

function mergePorts(constituents: ExportedService[], conflicts: ConflictFinding[]): McsServicePort[] {
  const merged: Array<{ port: McsServicePort; cluster: string }> = [];
  const differing = new Set<string>();
  const clash = (cluster: string, message: string) => {
    differing.add(cluster);
    conflicts.push({ reason: ServiceExportReasons.PortConflict, cluster, message });
  };
  for (const { cluster, ports } of constituents) {
    for (const port of ports) {
      const byName = merged.find((m) => (m.port.name ?? "") === (port.name ?? ""));
      if (byName) {
        if (!samePort(byName.port, port)) {
          clash(
            cluster,
            `${cluster} defines port ${quoted(port.name)} as ${describePort(port)}, ${byName.cluster} as ${describePort(byName.port)}`,
          );
        }
        continue;
      }
      const byNumber = merged.find(
        (m) => (m.port.protocol ?? "TCP") === (port.protocol ?? "TCP") && m.port.port === port.port,
      );
      if (byNumber) {
        clash(
          cluster,
          `${cluster} names ${describePort(port)} ${quoted(port.name)}, ${byNumber.cluster} ${quoted(byNumber.port.name)}`,
        );
        continue;
      }
      merged.push({ port, cluster });
    }
  }
  const ports = merged.map((m) => m.port);
  for (const { cluster, ports: own } of constituents) {
    if (differing.has(cluster)) continue;
    const missing = merged.filter((m) => !own.some((p) => samePort(p, m.port)));
    if (missing.length === 0) continue;
    const list = missing.map((m) => `${quoted(m.port.name)} ${describePort(m.port)} (from ${m.cluster})`);
    clash(cluster, `${cluster} does not export port ${list.join(", ")}`);
  }
  return ports;
}

function describePort(port: McsServicePort): string {
  const app = port.appProtocol ? ` (${port.appProtocol})` : "";
  return `${port.protocol ?? "TCP"}/${port.port}${app}`;
}

function describeType(type: ServiceImportType): string {
  return type === ServiceImportTypes.Headless ? "headless" : "ClusterIP";
}

function quoted(name: string | undefined): string {
  return `"${name ?? ""}"`;
}
