import type { KubeObject } from "@atoll/kube";
import { labelSelectorMatches } from "./label-selector.ts";
import type { ResourceSelector } from "./types.ts";

/**
 * How specifically a selector matches a template, Karmada's ImplicitPriority:
 * policies apply from the least to the most specific, so the most specific
 * policy's overriders run last and win.
 */
export const ImplicitPriority = {
  Mismatch: 0,
  /** No name and no labelSelector (or no resourceSelectors at all). */
  MatchAll: 1,
  MatchLabelSelector: 2,
  MatchName: 3,
} as const;
export type ImplicitPriority = (typeof ImplicitPriority)[keyof typeof ImplicitPriority];

/**
 * The priority with which one selector matches `template`. apiVersion and kind
 * must be equal, namespace too when set; a set `name` decides alone (the
 * labelSelector is then ignored), otherwise the labelSelector decides.
 */
export function selectorPriority(template: KubeObject, selector: ResourceSelector): ImplicitPriority {
  if (template.apiVersion !== selector.apiVersion || template.kind !== selector.kind) {
    return ImplicitPriority.Mismatch;
  }
  if (selector.namespace && template.metadata.namespace !== selector.namespace)
    return ImplicitPriority.Mismatch;
  if (selector.name) {
    return selector.name === template.metadata.name ? ImplicitPriority.MatchName : ImplicitPriority.Mismatch;
  }
  if (selector.labelSelector === undefined) return ImplicitPriority.MatchAll;
  return labelSelectorMatches(selector.labelSelector, template.metadata.labels)
    ? ImplicitPriority.MatchLabelSelector
    : ImplicitPriority.Mismatch;
}

/**
 * The best priority over a policy's selectors; no selectors at all means the
 * policy matches every template with MatchAll. Mismatch: the policy does not apply.
 */
export function selectorsPriority(
  template: KubeObject,
  selectors: readonly ResourceSelector[] | undefined,
): ImplicitPriority {
  if (!selectors || selectors.length === 0) return ImplicitPriority.MatchAll;
  let best: ImplicitPriority = ImplicitPriority.Mismatch;
  for (const selector of selectors) {
    const priority = selectorPriority(template, selector);
    if (priority > best) best = priority;
  }
  return best;
}
