import type { KubeObject } from "@atoll/kube";
import { isRecord } from "@atoll/kube";
import type { NodeInfo } from "../node-info.ts";
import type { FilterPlugin } from "./types.ts";

type Term = { labelSelector?: { matchLabels?: Record<string, string> }; topologyKey: string };

function selects(term: Term, pod: KubeObject): boolean {
  const labels = pod.metadata.labels ?? {};
  const wanted = term.labelSelector?.matchLabels ?? {};
  return Object.keys(wanted).length > 0 && Object.entries(wanted).every(([k, v]) => labels[k] === v);
}

/**
 * Required pod anti-affinity (matchLabels selectors): the node's topology
 * domain must not already hold a selected pod from the same namespace.
 */
export const podAntiAffinity: FilterPlugin = {
  name: "InterPodAffinity",
  filter(pod, node, all: readonly NodeInfo[]) {
    const spec = isRecord(pod.spec) ? pod.spec : {};
    const anti =
      isRecord(spec.affinity) && isRecord(spec.affinity.podAntiAffinity) ? spec.affinity.podAntiAffinity : {};
    const terms = (
      Array.isArray(anti.requiredDuringSchedulingIgnoredDuringExecution)
        ? anti.requiredDuringSchedulingIgnoredDuringExecution
        : []
    ) as Term[];
    for (const term of terms) {
      const domain = node.labels[term.topologyKey];
      if (domain === undefined) continue;
      const sameDomain = all.filter((n) => n.labels[term.topologyKey] === domain);
      const clash = sameDomain.some((n) =>
        n.pods.some((p) => p.metadata.namespace === pod.metadata.namespace && selects(term, p)),
      );
      if (clash) return "node(s) didn't match pod anti-affinity rules";
    }
    return undefined;
  },
};
