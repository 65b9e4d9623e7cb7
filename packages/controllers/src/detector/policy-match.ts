import type { PropagationPolicy, ResourceSelector } from "@atoll/api";
import type { KubeObject } from "@atoll/kube";
import { ImplicitPriority, selectorsPriority } from "../overrides/index.ts";

/** A PropagationPolicy ("namespaced") or a ClusterPropagationPolicy ("cluster"). */
export type PolicyScope = "namespaced" | "cluster";

/** A policy that may claim templates, with its scope. */
export type CandidatePolicy = { scope: PolicyScope; policy: PropagationPolicy };

/** Who claimed a template, as its labels and annotations say. */
export type PolicyClaim = { scope: PolicyScope; namespace?: string; name: string; uid?: string };

/**
 * What the detector does with a template:
 * - `claim` it for `policy`: `why` is "new" (it was unclaimed), "kept" (its
 *   policy still matches and nothing preempts it), "preempted" (a policy with
 *   preemption Always outranks the holder) or "rematched" (its policy is gone
 *   or no longer matches it, and another one does);
 * - `release` it: it is claimed but no policy matches any more;
 * - `none`: it is unclaimed and no policy matches.
 */
export type PolicyDecision =
  | { action: "claim"; policy: CandidatePolicy; why: "new" | "kept" | "preempted" | "rematched" }
  | { action: "release" }
  | { action: "none" };

/**
 * How strongly a policy selects `template` (Karmada's implicit priority):
 * by name > by labelSelector > kind only; Mismatch when it does not. A
 * PropagationPolicy selects only in its own namespace, its selectors' namespace
 * defaulting to it; an empty selector list selects nothing, so a Secret is
 * never propagated by accident.
 */
export function matchStrength(candidate: CandidatePolicy, template: KubeObject): ImplicitPriority {
  const selectors = candidate.policy.spec?.resourceSelectors ?? [];
  if (selectors.length === 0) return ImplicitPriority.Mismatch;
  if (candidate.scope === "cluster") return selectorsPriority(template, selectors);
  const namespace = candidate.policy.metadata.namespace;
  if (!namespace || template.metadata.namespace !== namespace) return ImplicitPriority.Mismatch;
  const scoped: ResourceSelector[] = selectors.map((s) => ({ ...s, namespace: s.namespace || namespace }));
  return selectorsPriority(template, scoped);
}

/** spec.priority, 0 when unset. */
export function explicitPriority(candidate: CandidatePolicy): number {
  return candidate.policy.spec?.priority ?? 0;
}

/**
 * Negative when `a` ranks before `b` for a template both match: a
 * PropagationPolicy before any ClusterPropagationPolicy, then higher
 * spec.priority, then the stronger match, then the alphabetically first name.
 */
export function compareRank(
  a: { candidate: CandidatePolicy; strength: number },
  b: { candidate: CandidatePolicy; strength: number },
): number {
  if (a.candidate.scope !== b.candidate.scope) return a.candidate.scope === "namespaced" ? -1 : 1;
  const priority = explicitPriority(b.candidate) - explicitPriority(a.candidate);
  if (priority !== 0) return priority;
  if (a.strength !== b.strength) return b.strength - a.strength;
  const nameA = a.candidate.policy.metadata.name ?? "";
  const nameB = b.candidate.policy.metadata.name ?? "";
  return nameA < nameB ? -1 : nameA > nameB ? 1 : 0;
}

/**
 * Whether `challenger` may take a template away from `holder`, Karmada's
 * preemption rules: only with `preemption: Always`; a PropagationPolicy
 * preempts any ClusterPropagationPolicy; within a scope, only a strictly
 * higher priority preempts; a ClusterPropagationPolicy never preempts a
 * PropagationPolicy.
 */
export function canPreempt(challenger: CandidatePolicy, holder: CandidatePolicy): boolean {
  if (challenger.policy.spec?.preemption !== "Always") return false;
  if (challenger.scope !== holder.scope) return challenger.scope === "namespaced";
  return explicitPriority(challenger) > explicitPriority(holder);
}

/** Whether `candidate` is the policy a claim names (and, when the claim has one, the same uid). */
export function isClaimedBy(claim: PolicyClaim, candidate: CandidatePolicy): boolean {
  const { metadata } = candidate.policy;
  if (claim.scope !== candidate.scope || claim.name !== metadata.name) return false;
  if (claim.scope === "namespaced" && claim.namespace !== metadata.namespace) return false;
  return !claim.uid || claim.uid === metadata.uid;
}

/**
 * Chooses the policy for `template` among `policies` (every PropagationPolicy
 * of its namespace and every ClusterPropagationPolicy). A claimed template
 * keeps its policy while that still matches, unless a matching policy may
 * preempt it; the best-ranked such policy then takes it.
 */
export function choosePolicy(input: {
  template: KubeObject;
  policies: readonly CandidatePolicy[];
  claimed?: PolicyClaim;
}): PolicyDecision {
  const ranked = input.policies
    .map((candidate) => ({ candidate, strength: matchStrength(candidate, input.template) }))
    .filter((entry) => entry.strength > ImplicitPriority.Mismatch)
    .sort(compareRank)
    .map((entry) => entry.candidate);
  const { claimed } = input;
  const holder = claimed ? ranked.find((candidate) => isClaimedBy(claimed, candidate)) : undefined;
  if (!holder) {
    if (ranked.length === 0) return claimed ? { action: "release" } : { action: "none" };
    return { action: "claim", policy: ranked[0], why: claimed ? "rematched" : "new" };
  }
  const preemptor = ranked.find((candidate) => candidate !== holder && canPreempt(candidate, holder));
  return preemptor
    ? { action: "claim", policy: preemptor, why: "preempted" }
    : { action: "claim", policy: holder, why: "kept" };
}
