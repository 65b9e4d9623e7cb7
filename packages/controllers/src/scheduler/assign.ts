import { clusterMatches } from "./cluster-match.ts";
import { divideByWeight, divideWithCaps, type WeightEntry } from "./divide.ts";
import type { Placement } from "./placement-types.ts";
import type { Candidate } from "./score.ts";
import type { Strategy } from "./strategy.ts";

/** What the assign step needs besides the selected members. */
export type AssignOptions = {
  placement: Placement;
  strategy: Strategy;
  replicas: number;
  /** Whether replicas carry resource requests: static weights then respect capacity. */
  capacityAware: boolean;
};

/** Replicas per selected member, or why they do not fit. */
export type Assignment = { replicas: Map<string, number> } | { insufficient: string };

/**
 * Assigns replicas to the selected members. A replica count of 0 (an object
 * without replicas) gives every member 0: it is just propagated.
 */
export function assignReplicas(selected: readonly Candidate[], options: AssignOptions): Assignment {
  const { replicas, strategy } = options;
  if (replicas === 0 || strategy === "Duplicated") {
    return { replicas: new Map(selected.map((c) => [c.name, replicas])) };
  }
  if (strategy === "StaticWeight") return assignByStaticWeight(selected, options);
  return assignByAvailability(selected, replicas, strategy === "Aggregated");
}

/** Finite room for weighing: unbounded members weigh as if they could take every replica (as Karmada). */
function room(available: number, replicas: number): number {
  return Number.isFinite(available) ? available : replicas;
}

/**
 * Static weights: each member weighs the largest weight among the rules
 * whose targetCluster matches it (0: it gets nothing); if none match, all
 * weigh 1. Recomputed from the weights each time, with previous counts only
 * breaking ties, so a stable input gives a stable result. Members that may
 * only keep what they have are capped at it; with resource requests, every
 * member is capped at what it holds plus its room.
 */
function assignByStaticWeight(selected: readonly Candidate[], options: AssignOptions): Assignment {
  const rules = options.placement.replicaScheduling?.weightPreference?.staticWeightList ?? [];
  let weights = selected.map((c) =>
    Math.max(0, ...rules.filter((r) => clusterMatches(c.cluster, r.targetCluster)).map((r) => r.weight)),
  );
  if (weights.every((w) => w === 0)) weights = selected.map(() => 1);
  const entries: WeightEntry[] = selected.map((c, i) => {
    const entry: WeightEntry = { name: c.name, weight: weights[i], previous: c.previous };
    if (c.keepOnly.length > 0) entry.cap = c.previous;
    else if (options.capacityAware) entry.cap = c.capacity;
    return entry;
  });
  const divided = divideWithCaps(options.replicas, entries);
  if (divided) return { replicas: divided };
  const holdable = entries.reduce((s, e) => s + (e.weight > 0 ? (e.cap ?? Number.POSITIVE_INFINITY) : 0), 0);
  return { insufficient: `the weighted clusters can hold ${holdable} of ${options.replicas} replicas` };
}

/**
 * Dynamic weights (available replicas) and Aggregated, steady as Karmada's
 * assignment: members keep what they held; on scale-down the new total is
 * divided in proportion to the previous counts; on scale-up only the
 * difference is placed, by available room (Aggregated: on as few members as
 * possible, those already holding replicas first, then the roomiest). A
 * member whose room is 0 gets nothing new.
 */
function assignByAvailability(
  selected: readonly Candidate[],
  replicas: number,
  aggregated: boolean,
): Assignment {
  const holders = selected.filter((c) => c.previous > 0);
  const assigned = holders.reduce((s, c) => s + c.previous, 0);
  if (assigned > replicas) {
    const byPrevious = [...holders].sort((a, b) => b.previous - a.previous);
    const pool = aggregated ? prefixHolding(byPrevious, (c) => c.previous, replicas) : byPrevious;
    return {
      replicas: divideByWeight(
        replicas,
        pool.map((c) => ({ name: c.name, weight: c.previous, previous: c.previous })),
      ),
    };
  }
  const result = new Map(holders.map((c) => [c.name, c.previous]));
  const target = replicas - assigned;
  if (target === 0) return { replicas: result };
  const weightOf = (c: Candidate) => room(c.available, replicas);
  const total = selected.reduce((s, c) => s + weightOf(c), 0);
  if (total < target) {
    return { insufficient: `the selected clusters have room for ${total} more replicas, ${target} needed` };
  }
  let pool = [...selected].sort((a, b) => weightOf(b) - weightOf(a));
  if (aggregated) {
    pool = prefixHolding(
      [...pool.filter((c) => c.previous > 0), ...pool.filter((c) => c.previous === 0)],
      weightOf,
      target,
    );
  }
  const shares = divideByWeight(
    target,
    pool.map((c) => ({ name: c.name, weight: weightOf(c), previous: c.previous })),
  );
  for (const [name, share] of shares) result.set(name, (result.get(name) ?? 0) + share);
  return { replicas: result };
}

/** The shortest prefix whose values add up to `target`. */
function prefixHolding(list: Candidate[], value: (c: Candidate) => number, target: number): Candidate[] {
  let sum = 0;
  for (const [i, c] of list.entries()) {
    sum += value(c);
    if (sum >= target) return list.slice(0, i + 1);
  }
  return list;
}
