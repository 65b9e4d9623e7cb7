import { FIT, type FilterPlugin } from "../framework.ts";

/** A disabled member (spec.disabled) takes no writes at all, so nothing is placed or kept there. */
export const disabledMember: FilterPlugin = {
  name: "DisabledMember",
  filter(cluster) {
    return cluster.spec.disabled ? { fit: false, reason: "cluster is disabled" } : FIT;
  },
};
