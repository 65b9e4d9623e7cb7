import type { Placement } from "./placement-types.ts";

/** How replicas are assigned to the selected members (Karmada's assignment strategies). */
export type Strategy = "Duplicated" | "StaticWeight" | "DynamicWeight" | "Aggregated";

/**
 * The strategy a placement asks for, with Karmada's defaults: no
 * replicaScheduling is Duplicated; Divided without a preference is Weighted;
 * Weighted without a dynamicWeight is static (every member weighing 1 when
 * no staticWeightList is given).
 */
export function strategyOf(placement: Placement): Strategy {
  const rs = placement.replicaScheduling;
  if (!rs || (rs.replicaSchedulingType ?? "Duplicated") === "Duplicated") return "Duplicated";
  if (rs.replicaDivisionPreference === "Aggregated") return "Aggregated";
  return rs.weightPreference?.dynamicWeight ? "DynamicWeight" : "StaticWeight";
}

/** Whether the strategy divides by members' available room (and so spread selection weighs capacity). */
export function usesCapacity(strategy: Strategy): boolean {
  return strategy === "DynamicWeight" || strategy === "Aggregated";
}
