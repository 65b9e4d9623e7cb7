import {
  AppliedReasons,
  type Condition,
  type ManifestStatus,
  type Work,
  WorkConditions,
  type WorkStatus,
} from "@atoll/api";
import { isRecord, jsonEqual, rfc3339 } from "@atoll/kube";
import type { ManifestOutcome } from "./apply-manifest.ts";
import { describe } from "./apply-manifest.ts";
import { resourceHealth } from "./health.ts";
import type { UnusableManifest } from "./manifest.ts";
import type { NotDispatchedReason } from "./member-gate.ts";

/** Reasons of the Available condition. */
export const AvailableReasons = {
  Available: "ManifestsAvailable",
  Missing: "ManifestsMissing",
} as const;

/** The status after applying: one entry per manifest that names a served kind, and both conditions. */
export function appliedStatus(
  work: Work,
  outcomes: ManifestOutcome[],
  unusable: UnusableManifest[],
  now: Date,
): WorkStatus {
  const manifestStatuses = outcomes.map(manifestStatus);
  const failures = [
    ...unusable.map((u) => ({ ordinal: u.ordinal, message: u.message, conflict: false })),
    ...outcomes.flatMap((o) =>
      o.failure
        ? [{ ordinal: o.manifest.ordinal, message: o.failure.message, conflict: o.failure.conflict }]
        : [],
    ),
  ].sort((a, b) => a.ordinal - b.ordinal);
  const total = outcomes.length + unusable.length;
  const applied = failures.length
    ? {
        status: "False" as const,
        reason: failures.every((f) => f.conflict) ? AppliedReasons.Conflict : AppliedReasons.Failed,
        message: `${failures.length} of ${total} manifests not applied: ${failures.map((f) => f.message).join("; ")}`,
      }
    : {
        status: "True" as const,
        reason: AppliedReasons.Success,
        message: `all ${total} manifests applied`,
      };
  const missing = outcomes.filter((o) => !o.live);
  const available =
    missing.length || unusable.length
      ? {
          status: "False" as const,
          reason: AvailableReasons.Missing,
          message: `no object of this Work in the member for: ${[
            ...missing.map((o) => describe(o.manifest)),
            ...unusable.map((u) => `manifest ${u.ordinal}`),
          ].join(", ")}`,
        }
      : {
          status: "True" as const,
          reason: AvailableReasons.Available,
          message: `all ${total} manifests exist in the member`,
        };
  return {
    conditions: [
      withTransition(work, WorkConditions.Applied, applied, now),
      withTransition(work, WorkConditions.Available, available, now),
    ],
    manifestStatuses,
  };
}

/**
 * The status of a Work that is not being applied: Applied=Unknown says why,
 * Available and the manifest statuses stay as last seen (stale).
 */
export function notDispatchedStatus(
  work: Work,
  why: { reason: NotDispatchedReason; message: string },
  now: Date,
): WorkStatus {
  const kept = (work.status?.conditions ?? []).filter((c) => c.type !== WorkConditions.Applied);
  const applied = withTransition(
    work,
    WorkConditions.Applied,
    { status: "Unknown", reason: why.reason, message: why.message },
    now,
  );
  return {
    conditions: [applied, ...kept],
    manifestStatuses: work.status?.manifestStatuses ?? [],
  };
}

/**
 * How writing `next` would change the Work's status: not at all; only in the
 * member objects' own status and health (`observed`); or in what the Work
 * says about itself — its conditions or which manifests it tracks (`state`).
 */
export function statusChange(work: Work, next: WorkStatus): "none" | "observed" | "state" {
  const current = work.status ?? {};
  const before = current.manifestStatuses ?? [];
  const after = next.manifestStatuses ?? [];
  if (!jsonEqual(current.conditions ?? [], next.conditions ?? [])) return "state";
  if (before.length !== after.length) return "state";
  if (!before.every((s, i) => jsonEqual(s.identifier, after[i]?.identifier))) return "state";
  return jsonEqual(before, after) ? "none" : "observed";
}

function manifestStatus(outcome: ManifestOutcome): ManifestStatus {
  const { identifier, resource } = outcome.manifest;
  const entry: ManifestStatus = { identifier, health: resourceHealth(resource, outcome.live) };
  if (outcome.live && isRecord(outcome.live.status)) entry.status = outcome.live.status;
  return entry;
}

function withTransition(
  work: Work,
  type: string,
  next: Pick<Condition, "status" | "reason" | "message">,
  now: Date,
): Condition {
  const previous = work.status?.conditions?.find((c) => c.type === type);
  const lastTransitionTime =
    previous && previous.status === next.status ? previous.lastTransitionTime : rfc3339(now);
  const condition: Condition = { type, ...next, lastTransitionTime };
  if (work.metadata.generation !== undefined) condition.observedGeneration = work.metadata.generation;
  return condition;
}
