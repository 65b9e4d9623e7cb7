import type { KubeObject } from "@atoll/kube";
import { cloneJson } from "@atoll/kube";
import {
  type Affinity,
  type NodeSelectorRequirement,
  type NodeSelectorTerm,
  type PodSpec,
  type StringMap,
  specOf,
  type Toleration,
} from "./workload-types.ts";

/** A node taint. */
export type Taint = { key: string; value?: string; effect: string };

/**
 * The tolerations every DaemonSet pod gets (`AddOrUpdateDaemonPodTolerations`):
 * it keeps running on not-ready and unreachable nodes and is placed on nodes
 * under pressure or cordoned; with host networking, also on nodes whose
 * network is not ready.
 */
export function daemonPodTolerations(spec: PodSpec): Toleration[] {
  const defaults: Toleration[] = [
    { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
    { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" },
    { key: "node.kubernetes.io/disk-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/memory-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/pid-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
  ];
  if (spec.hostNetwork) {
    defaults.push({
      key: "node.kubernetes.io/network-unavailable",
      operator: "Exists",
      effect: "NoSchedule",
    });
  }
  const tolerations = [...(spec.tolerations ?? [])];
  for (const toleration of defaults) {
    const same = (t: Toleration) => t.key === toleration.key && t.effect === toleration.effect;
    const at = tolerations.findIndex(same);
    if (at >= 0) tolerations[at] = toleration;
    else tolerations.push(toleration);
  }
  return tolerations;
}

/**
 * `affinity` with its required node affinity replaced by one term pinning
 * `metadata.name` to `nodeName` (`ReplaceDaemonSetPodNodeNameNodeAffinity`),
 * so the scheduler binds the pod to that node and nowhere else.
 */
export function pinnedToNode(affinity: Affinity | undefined, nodeName: string): Affinity {
  const copy = cloneJson(affinity ?? {});
  copy.nodeAffinity = {
    ...copy.nodeAffinity,
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [nodeName] }] }],
    },
  };
  return copy;
}

/** The node a daemon pod is for: its nodeName, or the single name its node affinity pins (`GetTargetNodeName`). */
export function targetNodeName(pod: KubeObject): string | undefined {
  const spec = specOf<PodSpec>(pod);
  if (spec.nodeName) return spec.nodeName;
  const terms =
    spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const field of term.matchFields ?? []) {
      if (field.key === "metadata.name" && field.operator === "In" && field.values?.length === 1)
        return field.values[0];
    }
  }
  return undefined;
}

function requirementMatches(requirement: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case "In":
      return value !== undefined && values.includes(value);
    case "NotIn":
      return value === undefined || !values.includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    case "Gt":
    case "Lt": {
      const have = Number.parseInt(value ?? "", 10);
      const bound = Number.parseInt(values[0] ?? "", 10);
      if (Number.isNaN(have) || Number.isNaN(bound)) return false;
      return requirement.operator === "Gt" ? have > bound : have < bound;
    }
    default:
      return false;
  }
}

function termMatches(term: NodeSelectorTerm, node: KubeObject): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  const labels: StringMap = node.metadata.labels ?? {};
  return (
    expressions.every((r) =>
      requirementMatches(r, Object.hasOwn(labels, r.key) ? labels[r.key] : undefined),
    ) &&
    fields.every((r) => requirementMatches(r, r.key === "metadata.name" ? node.metadata.name : undefined))
  );
}

/** The pod's nodeSelector and required node affinity both admit the node (`GetRequiredNodeAffinity(pod).Match`). */
export function nodeAffinityMatches(spec: PodSpec, node: KubeObject): boolean {
  const labels = node.metadata.labels ?? {};
  if (!Object.entries(spec.nodeSelector ?? {}).every(([k, v]) => labels[k] === v)) return false;
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return (required.nodeSelectorTerms ?? []).some((term) => termMatches(term, node));
}

/** Whether a toleration matches a taint (`Toleration.ToleratesTaint`): effect and key when set; Exists, or Equal values. */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  const operator = toleration.operator ?? "Equal";
  if (operator === "Exists") return true;
  return operator === "Equal" && (toleration.value ?? "") === (taint.value ?? "");
}

function untolerated(taints: Taint[], tolerations: Toleration[], effects: string[]): boolean {
  return taints.some(
    (taint) => effects.includes(taint.effect) && !tolerations.some((t) => tolerates(t, taint)),
  );
}

/**
 * Whether a DaemonSet with this pod template should place a pod on the node,
 * and whether a pod already there may stay (`NodeShouldRunDaemonPod`): the
 * template's nodeName, nodeSelector and required node affinity must admit
 * the node and every NoSchedule/NoExecute taint be tolerated (with the
 * default daemon tolerations); a pod tolerating the NoExecute taints may
 * keep running.
 */
export function nodeShouldRunDaemonPod(
  node: KubeObject,
  template: PodSpec | undefined,
): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const spec = template ?? {};
  const nodeName = node.metadata.name ?? "";
  if ((spec.nodeName && spec.nodeName !== nodeName) || !nodeAffinityMatches(spec, node)) {
    return { shouldRun: false, shouldContinueRunning: false };
  }
  const taints = specOf<{ taints?: Taint[] }>(node).taints ?? [];
  const tolerations = daemonPodTolerations(spec);
  if (untolerated(taints, tolerations, ["NoSchedule", "NoExecute"])) {
    return { shouldRun: false, shouldContinueRunning: !untolerated(taints, tolerations, ["NoExecute"]) };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}
