import type { KubeObject } from "@atoll/kube";
import { isRecord } from "@atoll/kube";
import type { FilterPlugin } from "./types.ts";

type Taint = { key: string; value?: string; effect: string };

/** Whether one of the pod's tolerations matches the taint, with Kubernetes' matching rules. */
export function tolerates(pod: KubeObject, taint: Taint): boolean {
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const tolerations = Array.isArray(spec.tolerations) ? spec.tolerations.filter(isRecord) : [];
  return tolerations.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    const operator = t.operator ?? "Equal";
    if (!t.key) return operator === "Exists";
    if (t.key !== taint.key) return false;
    return operator === "Exists" || (t.value ?? "") === (taint.value ?? "");
  });
}

/** NoSchedule and NoExecute taints the pod does not tolerate keep it off the node. */
export const taintToleration: FilterPlugin = {
  name: "TaintToleration",
  filter(pod, node) {
    const spec = isRecord(node.node.spec) ? node.node.spec : {};
    const taints = (Array.isArray(spec.taints) ? spec.taints.filter(isRecord) : []) as Taint[];
    const blocking = taints.find(
      (t) => (t.effect === "NoSchedule" || t.effect === "NoExecute") && !tolerates(pod, t),
    );
    if (!blocking) return undefined;
    return `node(s) had untolerated taint {${blocking.key}: ${blocking.value ?? ""}}`;
  },
};
