import { type MemberCluster, MemberConditions, MemberTaints } from "@atoll/api";

/** Component name → the member of each replica, index = ordinal; "" while a replica has no member yet. */
export type ReplicaPlacement = Record<string, string[]>;

/**
 * Members a NEW replica may go to, by name: joined, Ready, enabled (not
 * spec.disabled), schedulable (not cordoned, no NoSchedule or NoExecute
 * taint) and not being unjoined.
 */
export function eligibleMembers(members: readonly MemberCluster[]): Set<string> {
  const eligible = new Set<string>();
  for (const mc of members) {
    const name = mc.metadata.name;
    if (!name || mc.metadata.deletionTimestamp) continue;
    if (mc.spec?.disabled || mc.spec?.unschedulable) continue;
    if ((mc.spec?.taints ?? []).some((t) => t.effect === "NoSchedule" || t.effect === "NoExecute")) continue;
    const conditions = mc.status?.conditions ?? [];
    const is = (type: string) => conditions.some((c) => c.type === type && c.status === "True");
    if (is(MemberConditions.Joined) && is(MemberConditions.Ready)) eligible.add(name);
  }
  return eligible;
}

/**
 * The members replicas are spread over, in order: those the
 * multi-cluster-placement annotation names (comma-separated), or, without
 * it, every eligible member by name.
 */
export function placementCandidates(annotation: string | undefined, eligible: ReadonlySet<string>): string[] {
  if (annotation !== undefined && annotation.trim() !== "") {
    return [...new Set(annotation.split(",").map((m) => m.trim()))].filter((m) => m !== "");
  }
  return [...eligible].sort();
}

/** The recorded placement from its annotation; anything unreadable counts as nothing recorded. */
export function parsePlacement(text: string | undefined): ReplicaPlacement {
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return {};
    const placement: ReplicaPlacement = {};
    for (const [component, members] of Object.entries(parsed)) {
      if (Array.isArray(members)) placement[component] = members.map((m) => (typeof m === "string" ? m : ""));
    }
    return placement;
  } catch {
    return {};
  }
}

/**
 * Gives every replica without a member one, as KubeBlocks does
 * (`candidates[ordinal % n]`), but skipping to the next candidate in turn
 * when that one may not take a new replica; a replica keeps the member it was
 * given. Scaling down drops the highest ordinals; components no longer in the
 * spec are forgotten. A replica no candidate may take stays "".
 */
export function placeReplicas(options: {
  recorded: ReplicaPlacement;
  components: ReadonlyArray<{ name: string; replicas: number }>;
  candidates: readonly string[];
  eligible: ReadonlySet<string>;
}): ReplicaPlacement {
  const { recorded, candidates, eligible } = options;
  const placement: ReplicaPlacement = {};
  for (const { name, replicas } of options.components) {
    const members = (recorded[name] ?? []).slice(0, replicas);
    for (let ordinal = 0; ordinal < replicas; ordinal++) {
      if (members[ordinal]) continue;
      members[ordinal] = pick(ordinal, candidates, eligible);
    }
    placement[name] = members;
  }
  return placement;
}

function pick(ordinal: number, candidates: readonly string[], eligible: ReadonlySet<string>): string {
  for (let step = 0; step < candidates.length; step++) {
    const member = candidates[(ordinal + step) % candidates.length];
    if (member && eligible.has(member)) return member;
  }
  return "";
}

/** A replica that must leave its member, and why. */
export type Departure = { component: string; ordinal: number; from: string; reason: string };

/**
 * Replicas that must move to another member: those on a member being
 * drained (the drain taint), unjoined or gone, and — when the instance asks
 * for lost replicas to be rebuilt — those on a member the hub has given up
 * on (an unreachable or not-ready NoExecute taint).
 */
export function departures(options: {
  placement: ReplicaPlacement;
  members: readonly MemberCluster[];
  rebuildLost: boolean;
}): Departure[] {
  const byName = new Map(options.members.map((mc) => [mc.metadata.name ?? "", mc]));
  const why = (member: string): string | undefined => {
    const mc = byName.get(member);
    if (!mc) return `member ${member} no longer exists`;
    if (mc.metadata.deletionTimestamp) return `member ${member} is being unjoined`;
    const taints = mc.spec?.taints ?? [];
    if (taints.some((t) => t.key === MemberTaints.drain)) return `member ${member} is being drained`;
    const lost = taints.some(
      (t) =>
        t.effect === "NoExecute" && (t.key === MemberTaints.unreachable || t.key === MemberTaints.notReady),
    );
    if (lost && options.rebuildLost) return `member ${member} is lost`;
    return undefined;
  };
  const found: Departure[] = [];
  for (const [component, members] of Object.entries(options.placement)) {
    for (const [ordinal, from] of members.entries()) {
      const reason = from ? why(from) : undefined;
      if (reason) found.push({ component, ordinal, from, reason });
    }
  }
  return found;
}

/**
 * Where a departing replica goes: the first candidate that may take a new
 * replica and holds none of the component's yet, else the eligible member
 * holding the fewest (by name); "" when no member may take it.
 */
export function relocationTarget(
  members: readonly string[],
  candidates: readonly string[],
  eligible: ReadonlySet<string>,
): string {
  const count = (m: string) => members.filter((x) => x === m).length;
  const free = candidates.find((m) => eligible.has(m) && count(m) === 0);
  if (free) return free;
  return [...eligible].sort((a, b) => count(a) - count(b) || a.localeCompare(b))[0] ?? "";
}
