import { assignReplicas } from "./assign.ts";
import { isCapacityAware } from "./capacity.ts";
import { filterMembers, type MemberFit } from "./filter.ts";
import { memberName } from "./framework.ts";
import type { ClusterAffinity } from "./placement-types.ts";
import type { FitErrorReason, ScheduleInput } from "./schedule-types.ts";
import { type Candidate, scoreCandidates } from "./score.ts";
import { selectClusters } from "./spread.ts";
import { type Strategy, strategyOf } from "./strategy.ts";

/** One run of snapshot → filter → score → select → assign, for one affinity. */
export type Attempt = {
  affinityName?: string;
  strategy: Strategy;
  /** Every member, by name, with its filter verdict. */
  fits: MemberFit[];
  /** The members that passed the filters, in preference order. */
  candidates: Candidate[];
  selected: Candidate[];
  /** Feasible members the select step passed over, and why. */
  passedOver: Map<string, string>;
  /** Replicas per selected member, when the attempt succeeded. */
  assignment?: Map<string, number>;
  /** Why it failed; no message when simply no member passed the filters. */
  failure?: { reason: FitErrorReason; message?: string };
};

/** Runs the pipeline once with the given affinity in force. */
export function runAttempt(input: ScheduleInput, affinity?: ClusterAffinity, affinityName?: string): Attempt {
  const strategy = strategyOf(input.placement);
  const previous = input.previous ?? [];
  const clusters = [...input.clusters].sort((a, b) => (memberName(a) < memberName(b) ? -1 : 1));
  const fits = filterMembers(clusters, {
    placement: input.placement,
    affinity,
    gvk: input.gvk,
    now: input.now,
    holders: new Set(previous.map((p) => p.name)),
    evictedFrom: new Set(input.evictedFrom ?? []),
  });
  const candidates = scoreCandidates(fits, previous, input.replicaRequirements);
  const attempt: Attempt = { strategy, fits, candidates, selected: [], passedOver: new Map() };
  if (affinityName !== undefined) attempt.affinityName = affinityName;
  if (!Number.isInteger(input.replicas) || input.replicas < 0) {
    attempt.failure = {
      reason: "InvalidPlacement",
      message: `replicas must be a whole number ≥ 0, not ${input.replicas}`,
    };
    return attempt;
  }
  if (candidates.length === 0) {
    attempt.failure = { reason: "NoFeasibleCluster" };
    return attempt;
  }
  const selection = selectClusters(candidates, {
    placement: input.placement,
    strategy,
    replicas: input.replicas,
  });
  if ("failure" in selection) {
    attempt.failure = selection.failure;
    return attempt;
  }
  attempt.selected = selection.selected;
  attempt.passedOver = selection.passedOver;
  const assignment = assignReplicas(selection.selected, {
    placement: input.placement,
    strategy,
    replicas: input.replicas,
    capacityAware: isCapacityAware(input.replicaRequirements),
  });
  if ("insufficient" in assignment) {
    attempt.failure = { reason: "InsufficientCapacity", message: assignment.insufficient };
    return attempt;
  }
  attempt.assignment = assignment.replicas;
  return attempt;
}

/**
 * Runs the pipeline for `clusterAffinity`, or for each `clusterAffinities`
 * group in order — starting from the observed one, as Karmada does — until
 * one schedules. Returns every attempt made; the last is the one that
 * scheduled, if any did.
 */
export function runPipeline(input: ScheduleInput): Attempt[] {
  const terms = input.placement.clusterAffinities ?? [];
  if (terms.length === 0) return [runAttempt(input, input.placement.clusterAffinity)];
  const observed = terms.findIndex((t) => t.affinityName === input.observedAffinityName);
  const attempts: Attempt[] = [];
  for (const term of terms.slice(Math.max(0, observed))) {
    const { affinityName, ...affinity } = term;
    const attempt = runAttempt(input, affinity, affinityName);
    attempts.push(attempt);
    if (attempt.assignment) break;
  }
  return attempts;
}
