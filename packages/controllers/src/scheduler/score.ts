import type { MemberCluster } from "@atoll/api";
import { availableReplicas } from "./capacity.ts";
import type { MemberFit } from "./filter.ts";
import type { ReplicaRequirements, TargetCluster } from "./schedule-types.ts";

/** Karmada's ClusterLocality score for a member that already holds the binding. */
export const LOCALITY_SCORE = 100;

/** A member that passed every filter, scored. */
export type Candidate = {
  name: string;
  cluster: MemberCluster;
  /** LOCALITY_SCORE when the member is in the previous result, else 0. */
  score: number;
  /** Replicas it held in the previous result. */
  previous: number;
  /** More replicas it can take now: 0 when it may only keep what it has; Infinity when unbounded. */
  available: number;
  /** `previous + available`: what it could hold in all. */
  capacity: number;
  /** Why it may only keep what it has (cordoned, an untolerated NoSchedule taint). */
  keepOnly: string[];
  until?: Date;
};

/** Preference order: holders first (stability), then more capacity, then name (determinism). */
export function compareCandidates(a: Candidate, b: Candidate): number {
  if (a.score !== b.score) return b.score - a.score;
  if (a.capacity !== b.capacity) return b.capacity > a.capacity ? 1 : -1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The members that passed the filters, scored and in preference order. */
export function scoreCandidates(
  fits: readonly MemberFit[],
  previous: readonly TargetCluster[],
  requirements?: ReplicaRequirements,
): Candidate[] {
  const held = new Map<string, number>();
  for (const p of previous) held.set(p.name, (held.get(p.name) ?? 0) + p.replicas);
  return fits
    .filter((f) => f.reasons.length === 0)
    .map((f) => {
      const prior = held.get(f.name) ?? 0;
      const available = f.keepOnly.length > 0 ? 0 : availableReplicas(f.cluster, requirements);
      const candidate: Candidate = {
        name: f.name,
        cluster: f.cluster,
        score: held.has(f.name) ? LOCALITY_SCORE : 0,
        previous: prior,
        available,
        capacity: prior + available,
        keepOnly: f.keepOnly,
      };
      if (f.until) candidate.until = f.until;
      return candidate;
    })
    .sort(compareCandidates);
}
