import { isRecord } from "@atoll/kube";
import { tolerates } from "./taint-toleration.ts";
import type { FilterPlugin } from "./types.ts";

/** Cordoned nodes (`spec.unschedulable`) take only pods that tolerate node.kubernetes.io/unschedulable. */
export const nodeUnschedulable: FilterPlugin = {
  name: "NodeUnschedulable",
  filter(pod, node) {
    const spec = isRecord(node.node.spec) ? node.node.spec : {};
    if (spec.unschedulable !== true) return undefined;
    const taint = { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" };
    return tolerates(pod, taint) ? undefined : "node(s) were unschedulable";
  },
};
