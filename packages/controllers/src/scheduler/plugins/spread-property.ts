import { clusterField } from "../cluster-match.ts";
import { FIT, type FilterPlugin } from "../framework.ts";

/**
 * Karmada's SpreadConstraint filter: a member without the property a spread
 * constraint groups by (provider, region, zone, or the label) belongs to no
 * group, so it cannot be placed.
 */
export const spreadProperty: FilterPlugin = {
  name: "SpreadConstraint",
  filter(cluster, ctx) {
    for (const constraint of ctx.placement.spreadConstraints ?? []) {
      const field = constraint.spreadByField;
      if (field && field !== "cluster" && !clusterField(cluster, field)) {
        return { fit: false, reason: `cluster(s) did not have ${field} property` };
      }
      const label = constraint.spreadByLabel;
      if (label && !Object.hasOwn(cluster.metadata.labels ?? {}, label)) {
        return { fit: false, reason: `cluster(s) did not have label "${label}"` };
      }
    }
    return FIT;
  },
};
