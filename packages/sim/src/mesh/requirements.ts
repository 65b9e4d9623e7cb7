import type { ClusterInfo } from "./cluster-info.ts";
import { formatRange } from "./cluster-info.ts";
import { CLUSTER_ID_RANGE, MAX_CLUSTER_NAME_LENGTH } from "./well-known.ts";

/** One unmet requirement, with a stable reason. */
export type MeshProblem = {
  reason:
    | "InvalidName"
    | "InvalidClusterId"
    | "DuplicateName"
    | "DuplicateClusterId"
    | "OverlappingPodRange"
    | "OverlappingServiceRange";
  message: string;
};

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Cilium ClusterMesh's requirements over members that are, or are about to
 * be, meshed: each name a DNS label of at most 32 characters and unique, each
 * cluster id in 1…255 and unique, and no two members' pod ranges or service
 * ranges overlapping. Every problem is reported, each once.
 */
export function meshProblems(
  members: readonly ClusterInfo[],
  options: { label?: (member: ClusterInfo) => string } = {},
): MeshProblem[] {
  const label = options.label ?? ((member: ClusterInfo) => member.name);
  const problems: MeshProblem[] = [];
  const [minId, maxId] = CLUSTER_ID_RANGE;
  for (const member of members) {
    if (member.name.length > MAX_CLUSTER_NAME_LENGTH || !NAME.test(member.name)) {
      problems.push({
        reason: "InvalidName",
        message: `member name "${member.name}" must be lower-case letters, digits and '-', at most ${MAX_CLUSTER_NAME_LENGTH} characters`,
      });
    }
    if (!Number.isInteger(member.id) || member.id < minId || member.id > maxId) {
      problems.push({
        reason: "InvalidClusterId",
        message: `member ${label(member)} has cluster id ${member.id}: it must be from ${minId} to ${maxId}`,
      });
    }
  }
  for (const [i, a] of members.entries()) {
    for (const b of members.slice(i + 1)) problems.push(...pairProblems(a, b, label));
  }
  return problems;
}

function pairProblems(a: ClusterInfo, b: ClusterInfo, label: (member: ClusterInfo) => string): MeshProblem[] {
  const problems: MeshProblem[] = [];
  if (a.name === b.name) {
    problems.push({
      reason: "DuplicateName",
      message: `${label(a) === a.name && label(b) === b.name ? "two members" : `${label(a)} and ${label(b)}`} are named ${a.name} (ids ${a.id} and ${b.id}): member names must be unique in a mesh`,
    });
  }
  const both = `${label(a)} and ${label(b)}`;
  if (a.id === b.id) {
    problems.push({
      reason: "DuplicateClusterId",
      message: `${both} both have cluster id ${a.id}: cluster ids must be unique in a mesh`,
    });
  }
  if (overlap(a.podRange, b.podRange)) {
    problems.push({
      reason: "OverlappingPodRange",
      message: `pod ranges of ${both} overlap (${formatRange(a.podRange)} and ${formatRange(b.podRange)})`,
    });
  }
  if (overlap(a.serviceRange, b.serviceRange)) {
    problems.push({
      reason: "OverlappingServiceRange",
      message: `service ranges of ${both} overlap (${formatRange(a.serviceRange)} and ${formatRange(b.serviceRange)})`,
    });
  }
  return problems;
}

function overlap(a: readonly [number, number], b: readonly [number, number]): boolean {
  return a[0] <= b[1] && b[0] <= a[1];
}
