import { clusterField } from "./cluster-match.ts";
import type { Placement, SpreadConstraint } from "./placement-types.ts";
import type { FitErrorReason } from "./schedule-types.ts";
import { type Candidate, compareCandidates } from "./score.ts";
import { type Strategy, usesCapacity } from "./strategy.ts";

/** What the select step needs besides the candidates. */
export type SelectOptions = { placement: Placement; strategy: Strategy; replicas: number };

/** The members chosen, and why each other feasible member was passed over — or why no choice works. */
export type Selection =
  | { selected: Candidate[]; passedOver: Map<string, string> }
  | { failure: { reason: FitErrorReason; message: string } };

/**
 * Picks `min`…`max` groups in preference order whose values add up to
 * `target`: the first `min`, then more while short; if still short, the
 * roomiest remaining groups replace the smallest chosen. Undefined when even
 * the `max` largest fall short.
 */
export function chooseGroups<T extends { value: number }>(
  ordered: readonly T[],
  { min, max, target }: { min: number; max: number; target: number },
): T[] | undefined {
  if (ordered.length < min) return undefined;
  const chosen = ordered.slice(0, min);
  let sum = chosen.reduce((s, g) => s + g.value, 0);
  for (let next = min; sum < target && chosen.length < max && next < ordered.length; next++) {
    chosen.push(ordered[next]);
    sum += ordered[next].value;
  }
  const rest = ordered.filter((g) => !chosen.includes(g)).sort((a, b) => b.value - a.value);
  for (const group of rest) {
    if (sum >= target) break;
    let smallest = 0;
    for (const [i, g] of chosen.entries()) if (g.value <= chosen[smallest].value) smallest = i;
    if (group.value <= chosen[smallest].value) break;
    sum += group.value - chosen[smallest].value;
    chosen[smallest] = group;
  }
  if (sum < target) return undefined;
  return chosen.sort((a, b) => ordered.indexOf(a) - ordered.indexOf(b));
}

const invalid = (message: string): Selection => ({ failure: { reason: "InvalidPlacement", message } });
const unsatisfied = (message: string): Selection => ({
  failure: { reason: "SpreadConstraintUnsatisfied", message },
});

/** What a member counts as toward a replica target: its total room, finite. */
const holdable = (c: Candidate, replicas: number) => (Number.isFinite(c.capacity) ? c.capacity : replicas);

/**
 * Karmada's select step. Without spread constraints, or with static weights
 * (Karmada ignores spread constraints there, the weights decide), every
 * feasible member is selected. A `cluster` constraint alone takes the best
 * clusters: `maxGroups` of them for Duplicated, otherwise as few as hold the
 * replicas (at least `minGroups`). A provider/region/zone/label constraint
 * takes as few groups as give the cluster constraint's `minGroups` members,
 * the best member of each group first, then the best others up to the
 * cluster constraint's `maxGroups` (default: all of them).
 */
export function selectClusters(candidates: readonly Candidate[], options: SelectOptions): Selection {
  const constraints = options.placement.spreadConstraints ?? [];
  if (constraints.length === 0 || options.strategy === "StaticWeight") {
    return { selected: [...candidates], passedOver: new Map() };
  }
  for (const c of constraints) {
    if (Boolean(c.spreadByField) === Boolean(c.spreadByLabel)) {
      return invalid("each spread constraint needs exactly one of spreadByField and spreadByLabel");
    }
    if (c.maxGroups && (c.minGroups ?? 1) > c.maxGroups) {
      return invalid(`spreadConstraint.MaxGroups (${c.maxGroups}) is less than MinGroups (${c.minGroups})`);
    }
  }
  const byCluster = constraints.find((c) => c.spreadByField === "cluster");
  const byGroup = constraints.filter((c) => c.spreadByField !== "cluster");
  if (byGroup.length > 1)
    return invalid("only one of provider, region, zone or label spread constraints is supported");
  if (byGroup.length === 1) return selectByGroup(candidates, byGroup[0], byCluster ?? {});
  return selectByCluster(candidates, byCluster ?? {}, options);
}

function selectByCluster(
  candidates: readonly Candidate[],
  c: SpreadConstraint,
  options: SelectOptions,
): Selection {
  const min = c.minGroups ?? 1;
  const max = c.maxGroups || Number.POSITIVE_INFINITY;
  if (candidates.length < min) {
    return unsatisfied(
      `the number of feasible clusters (${candidates.length}) is less than spreadConstraint.MinGroups (${min})`,
    );
  }
  const fill = options.replicas > 0 && usesCapacity(options.strategy);
  const groups = candidates.map((cand) => ({ cand, value: fill ? holdable(cand, options.replicas) : 0 }));
  // Holders sort first; keeping them all (within maxGroups) is what makes re-scheduling stable.
  const holders = Math.min(max, candidates.filter((x) => x.score > 0).length);
  const chosen = fill
    ? chooseGroups(groups, { min: Math.max(min, holders), max, target: options.replicas })
    : groups.slice(0, Math.min(max, groups.length));
  if (!chosen) {
    const top = [...groups].sort((a, b) => b.value - a.value).slice(0, Math.min(max, groups.length));
    const room = top.reduce((s, g) => s + g.value, 0);
    const within = Number.isFinite(max) ? ` within spreadConstraint.MaxGroups (${max})` : "";
    return {
      failure: {
        reason: "InsufficientCapacity",
        message: `the feasible clusters can hold at most ${room} of ${options.replicas} replicas${within}`,
      },
    };
  }
  const selected = chosen.map((g) => g.cand);
  const why = `not chosen by the cluster spread constraint (${selected.length} of ${candidates.length} feasible clusters selected)`;
  const passedOver = new Map(candidates.filter((x) => !selected.includes(x)).map((x) => [x.name, why]));
  return { selected, passedOver };
}

function selectByGroup(
  candidates: readonly Candidate[],
  g: SpreadConstraint,
  c: SpreadConstraint,
): Selection {
  const label = g.spreadByLabel;
  const field = g.spreadByField === "cluster" ? undefined : g.spreadByField;
  const keyOf = (x: Candidate) =>
    label ? (x.cluster.metadata.labels?.[label] ?? "") : field ? clusterField(x.cluster, field) : "";
  const kind = label ? `groups by label "${label}"` : `${field === "provider" ? "providers" : `${field}s`}`;
  const gmin = g.minGroups ?? 1;
  const gmax = g.maxGroups || Number.POSITIVE_INFINITY;
  const cmin = c.minGroups ?? 1;
  const cmax = c.maxGroups || Number.POSITIVE_INFINITY;
  if (cmax < gmin) {
    return invalid(
      `the cluster spreadConstraint.MaxGroups (${cmax}) is less than the ${kind} MinGroups (${gmin})`,
    );
  }
  const members = new Map<string, Candidate[]>();
  for (const x of candidates) members.set(keyOf(x), [...(members.get(keyOf(x)) ?? []), x]);
  if (members.size < gmin) {
    return unsatisfied(
      `the number of feasible ${kind} (${members.size}) is less than spreadConstraint.MinGroups (${gmin})`,
    );
  }
  const groups = [...members].map(([name, list]) => ({
    name,
    list,
    value: list.length,
    holders: list.filter((x) => x.score > 0).length,
    room: list.reduce((s, x) => s + (Number.isFinite(x.capacity) ? x.capacity : 0), 0),
  }));
  groups.sort(
    (a, b) => b.holders - a.holders || b.room - a.room || b.value - a.value || (a.name < b.name ? -1 : 1),
  );
  const holding = Math.min(gmax, groups.filter((x) => x.holders > 0).length);
  const chosen = chooseGroups(groups, { min: Math.max(gmin, holding), max: gmax, target: cmin });
  if (!chosen) {
    return unsatisfied(
      `the feasible ${kind} cannot provide the ${cmin} clusters the cluster spreadConstraint.MinGroups asks for` +
        (Number.isFinite(gmax) ? ` within spreadConstraint.MaxGroups (${gmax})` : ""),
    );
  }
  const selected = chosen.map((x) => x.list[0]);
  const others = chosen.flatMap((x) => x.list.slice(1)).sort(compareCandidates);
  selected.push(...others.slice(0, Math.max(0, cmax - selected.length)));
  const passedOver = new Map<string, string>();
  for (const x of candidates) {
    if (selected.includes(x)) continue;
    const key = keyOf(x);
    const inChosen = chosen.some((group) => group.name === key);
    passedOver.set(
      x.name,
      inChosen
        ? `not chosen by the cluster spread constraint (maxGroups ${cmax})`
        : `not chosen by the spread constraint (${label ? `label "${label}"` : field} "${key}" was not selected)`,
    );
  }
  return { selected: selected.sort(compareCandidates), passedOver };
}
