import type { KubeObject } from "@atoll/kube";
import { isRecord } from "@atoll/kube";
import type { NodeInfo } from "../node-info.ts";
import type { FilterPlugin } from "./types.ts";

type Requirement = { key: string; operator: string; values?: string[] };

function matchesRequirement(value: string | undefined, req: Requirement): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
    case "In":
      return value !== undefined && values.includes(value);
    case "NotIn":
      return value === undefined || !values.includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    case "Gt":
      return value !== undefined && Number(value) > Number(values[0]);
    case "Lt":
      return value !== undefined && Number(value) < Number(values[0]);
    default:
      return false;
  }
}

/** A nodeSelectorTerm: all matchExpressions (labels) and matchFields (metadata.name) hold. */
function termMatches(term: Record<string, unknown>, node: NodeInfo): boolean {
  const expressions = (Array.isArray(term.matchExpressions) ? term.matchExpressions : []) as Requirement[];
  const fields = (Array.isArray(term.matchFields) ? term.matchFields : []) as Requirement[];
  if (expressions.length === 0 && fields.length === 0) return false;
  return (
    expressions.every((r) => matchesRequirement(node.labels[r.key], r)) &&
    fields.every((r) => matchesRequirement(r.key === "metadata.name" ? node.name : undefined, r))
  );
}

/** Whether the pod's nodeSelector and required node affinity admit the node. */
export function nodeMatches(pod: KubeObject, node: NodeInfo): boolean {
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const selector = isRecord(spec.nodeSelector) ? spec.nodeSelector : {};
  for (const [key, value] of Object.entries(selector)) if (node.labels[key] !== value) return false;
  const affinity =
    isRecord(spec.affinity) && isRecord(spec.affinity.nodeAffinity) ? spec.affinity.nodeAffinity : {};
  const required = affinity.requiredDuringSchedulingIgnoredDuringExecution;
  if (!isRecord(required) || !Array.isArray(required.nodeSelectorTerms)) return true;
  return required.nodeSelectorTerms.filter(isRecord).some((term) => termMatches(term, node));
}

export const nodeAffinity: FilterPlugin = {
  name: "NodeAffinity",
  filter: (pod, node) =>
    nodeMatches(pod, node) ? undefined : "node(s) didn't match Pod's node affinity/selector",
};
