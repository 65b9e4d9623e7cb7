import { fitError } from "./fit-error.ts";
import { type Attempt, runPipeline } from "./pipeline.ts";
import { placementOf, resultOf } from "./schedule.ts";
import type { ScheduleInput, ScheduleResult } from "./schedule-types.ts";
import type { Candidate } from "./score.ts";
import type { Strategy } from "./strategy.ts";

/** One member's part in a decision. */
export type MemberExplanation = {
  name: string;
  /** selected: it gets the object; passed-over: it fit but was not chosen; rejected: a filter turned it away. */
  verdict: "selected" | "passed-over" | "rejected";
  replicas?: number;
  /** The score it was ranked by (100: already holds the binding), for members that passed the filters. */
  score?: number;
  /** How many more replicas it can take; absent when unbounded or not evaluated. */
  available?: number;
  reasons: string[];
};

/** Everything `atoll explain placement` prints. */
export type PlacementExplanation = {
  result: ScheduleResult;
  strategy: Strategy;
  /** The `clusterAffinities` group explained: the one that scheduled, or the last tried. */
  affinityName?: string;
  /** Earlier `clusterAffinities` groups that did not schedule, and why. */
  fallbacks: Array<{ affinityName: string; message: string }>;
  members: MemberExplanation[];
};

function why(c: Candidate, replicas: number | undefined, total: number): string[] {
  const reasons = [
    c.score > 0 ? `already holds ${c.previous} replicas (score ${c.score})` : `score ${c.score}`,
  ];
  if (Number.isFinite(c.available)) reasons.push(`room for ${c.available} more replicas`);
  for (const k of c.keepOnly) reasons.push(`${k}: keeps what it holds, gets nothing new`);
  if (c.until) reasons.push(`a NoExecute taint is tolerated until ${c.until.toISOString()}`);
  if (replicas === 0 && total > 0) reasons.push(`its share of the ${total} replicas is 0`);
  return reasons;
}

function explainAttempt(attempt: Attempt, total: number): MemberExplanation[] {
  const placed = new Map(placementOf(attempt, total).map((t) => [t.name, t.replicas]));
  return attempt.fits.map((fit): MemberExplanation => {
    if (fit.reasons.length > 0) return { name: fit.name, verdict: "rejected", reasons: fit.reasons };
    const c = attempt.candidates.find((x) => x.name === fit.name);
    const base: MemberExplanation = { name: fit.name, verdict: "passed-over", reasons: [] };
    if (!c) return base;
    base.score = c.score;
    if (Number.isFinite(c.available)) base.available = c.available;
    const replicas = placed.get(c.name);
    if (replicas !== undefined)
      return { ...base, verdict: "selected", replicas, reasons: why(c, replicas, total) };
    const passed = attempt.passedOver.get(c.name);
    const share = attempt.assignment?.get(c.name);
    const reason =
      passed ?? (share === 0 ? undefined : `not used: ${attempt.failure?.message ?? "no placement"}`);
    return { ...base, reasons: [...(reason ? [reason] : []), ...why(c, share, total)] };
  });
}

/**
 * Runs the same decision as `schedule` and says, per member, whether it was
 * selected (with its replicas), passed over or rejected, its score and room,
 * and why. Members are listed by name.
 */
export function explain(input: ScheduleInput): PlacementExplanation {
  const attempts = runPipeline(input);
  const last = attempts[attempts.length - 1];
  const explanation: PlacementExplanation = {
    result: resultOf(attempts, input.replicas),
    strategy: last.strategy,
    fallbacks: attempts.slice(0, -1).map((a) => ({
      affinityName: a.affinityName ?? "",
      message: fitError([a]).message,
    })),
    members: explainAttempt(last, input.replicas),
  };
  if (last.affinityName !== undefined) explanation.affinityName = last.affinityName;
  return explanation;
}
