import type { MemberCluster } from "@atoll/api";
import type { KubeObject } from "@atoll/kube";
import { cloneJson } from "@atoll/kube";
import { applyCommandArgsOverrider } from "./command-args-overrider.ts";
import { applyImageOverrider } from "./image-overrider.ts";
import { applyLabelAnnotationOverrider } from "./label-annotation-overrider.ts";
import { OverrideError, type OverrideSource } from "./override-error.ts";
import { applyPlaintextOverrider } from "./plaintext-overrider.ts";
import { ImplicitPriority, selectorsPriority } from "./resource-selector.ts";
import { targetClusterMatches } from "./target-cluster.ts";
import type {
  ClusterOverridePolicy,
  OverridePolicy,
  Overriders,
  OverrideSpec,
  RuleWithCluster,
} from "./types.ts";

export type OverridePolicyKind = OverrideSource["kind"];

export type ApplyOverridesInput = {
  /** The resource template at the hub; never modified. */
  template: KubeObject;
  /** The member the copy is rendered for. */
  member: MemberCluster;
  clusterPolicies: readonly ClusterOverridePolicy[];
  /** May hold policies of any namespace: only those in the template's namespace apply. */
  namespacedPolicies: readonly OverridePolicy[];
};

/** A policy that changed the copy: how many of its rules targeted the member. */
export type AppliedOverride = { kind: OverridePolicyKind; policy: string; rules: number };

export type ApplyOverridesResult = {
  /** A new object; shares nothing with the template or the policies. */
  object: KubeObject;
  /** In the order applied; policies with no rule for the member are not listed. */
  applied: AppliedOverride[];
};

/**
 * Renders one member's copy of a resource template, with Karmada's semantics:
 * ClusterOverridePolicies first, then (for a namespaced template)
 * OverridePolicies of the template's namespace. Within each group, policies
 * whose resourceSelectors match apply from the least specific match to the
 * most specific (match-all, then labelSelector, then name), ties by name, so
 * the most specific policy wins. Each policy's rules apply in order when
 * their targetCluster matches the member (absent: every member), and each
 * rule's overriders in a fixed order: image, command, args, labels,
 * annotations, plaintext. Namespaced policies are selected against the copy
 * after the cluster policies have been applied, as Karmada does.
 *
 * Throws OverrideError (with `source` naming the policy and rule, and the
 * overrider's error as `cause`) when an overrider cannot be applied; the
 * caller reports it as a condition.
 */
export function applyOverrides(input: ApplyOverridesInput): ApplyOverridesResult {
  const object = cloneJson(input.template);
  const applied: AppliedOverride[] = [];
  const context = { object, member: input.member, applied };
  applyGroup(context, "ClusterOverridePolicy", input.clusterPolicies);
  const namespace = object.metadata.namespace;
  if (namespace) {
    const inNamespace = input.namespacedPolicies.filter((policy) => policy.metadata.namespace === namespace);
    applyGroup(context, "OverridePolicy", inNamespace);
  }
  return { object, applied };
}

type Context = { object: KubeObject; member: MemberCluster; applied: AppliedOverride[] };

function applyGroup(
  context: Context,
  kind: OverridePolicyKind,
  policies: readonly (OverridePolicy | ClusterOverridePolicy)[],
): void {
  const matching = policies
    .map((policy) => ({ policy, priority: selectorsPriority(context.object, policy.spec.resourceSelectors) }))
    .filter(({ priority }) => priority !== ImplicitPriority.Mismatch)
    .sort((a, b) => a.priority - b.priority || compareNames(nameOf(a.policy), nameOf(b.policy)));
  for (const { policy } of matching) {
    let rules = 0;
    rulesOf(policy.spec).forEach((rule, index) => {
      if (!targetClusterMatches(rule.targetCluster, context.member)) return;
      const source: OverrideSource = { kind, name: nameOf(policy), rule: index };
      if (policy.metadata.namespace) source.namespace = policy.metadata.namespace;
      applyRule(context, rule.overriders, source);
      rules++;
    });
    if (rules > 0) context.applied.push({ kind, policy: nameOf(policy), rules });
  }
}

/** overrideRules, or the deprecated top-level targetCluster/overriders pair when there are none. */
function rulesOf(spec: OverrideSpec): RuleWithCluster[] {
  if (spec.overrideRules && spec.overrideRules.length > 0) return spec.overrideRules;
  if (spec.overriders) return [{ targetCluster: spec.targetCluster, overriders: spec.overriders }];
  return [];
}

function applyRule(context: Context, overriders: Overriders, source: OverrideSource): void {
  const { object } = context;
  const each = <T>(list: readonly T[] | undefined, apply: (item: T) => void) =>
    (list ?? []).map((item) => () => apply(item));
  const steps: Array<[string, Array<() => void>]> = [
    ["imageOverrider", each(overriders.imageOverrider, (o) => applyImageOverrider(object, o))],
    [
      "commandOverrider",
      each(overriders.commandOverrider, (o) => applyCommandArgsOverrider(object, o, "command")),
    ],
    ["argsOverrider", each(overriders.argsOverrider, (o) => applyCommandArgsOverrider(object, o, "args"))],
    [
      "labelsOverrider",
      each(overriders.labelsOverrider, (o) => applyLabelAnnotationOverrider(object, o, "labels")),
    ],
    [
      "annotationsOverrider",
      each(overriders.annotationsOverrider, (o) => applyLabelAnnotationOverrider(object, o, "annotations")),
    ],
    ["plaintext", each(overriders.plaintext, (o) => applyPlaintextOverrider(object, o))],
  ];
  for (const [field, applies] of steps) {
    applies.forEach((apply, index) => {
      try {
        apply();
      } catch (error) {
        if (!(error instanceof OverrideError)) throw error;
        throw new OverrideError(
          error.reason,
          `${describe(context, source)}, ${field}[${index}]: ${error.message}`,
          {
            cause: error,
            source,
          },
        );
      }
    });
  }
}

function describe(context: Context, source: OverrideSource): string {
  const { object, member } = context;
  const policy = source.namespace ? `${source.namespace}/${source.name}` : source.name;
  const target = object.metadata.namespace
    ? `${object.metadata.namespace}/${object.metadata.name}`
    : object.metadata.name;
  return (
    `failed to apply ${source.kind} ${policy} rule ${source.rule} to ${object.kind} ${target}` +
    ` for member ${member.metadata.name}`
  );
}

function nameOf(policy: KubeObject): string {
  return policy.metadata.name ?? "";
}

/** Code-unit order, not locale order: for ASCII names (all Kubernetes names) the byte order Karmada sorts by. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
