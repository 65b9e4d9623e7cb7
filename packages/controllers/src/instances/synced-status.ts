import { type Cluster, type ClusterComponentStatus, type ClusterPhase, ClusterPhases } from "@atoll/api";
import type { ConditionState } from "../binding/conditions.ts";
import { InstanceConditions } from "./instance-names.ts";
import { clusterPhase, componentPhase, replicaStatus } from "./instance-status.ts";
import type { SyncOutcome } from "./instance-sync.ts";

/**
 * The Cluster's phase, per-component status and conditions after a sync:
 * Failed while a ComponentDefinition is missing; otherwise the worst of its
 * components' phases.
 */
export function syncedStatus(
  cluster: Cluster,
  outcome: SyncOutcome,
  candidates: readonly string[],
  /** Replicas that must move off their member but have nowhere to go. */
  blocked: readonly string[] = [],
): { phase: ClusterPhase; components: Record<string, ClusterComponentStatus>; conditions: ConditionState[] } {
  const components: Record<string, ClusterComponentStatus> = {};
  for (const [name, readings] of Object.entries(outcome.readings)) {
    const replicas = readings.map(replicaStatus);
    const settled = componentPhase(replicas, cluster.status?.components?.[name]?.phase, {
      needsRole: outcome.roleful.has(name),
      stopped: outcome.stopped.has(name),
    });
    // Replicas scaled away are still leaving (the engine, then their pods): not done yet.
    const phase =
      settled === ClusterPhases.Running && outcome.leaving.has(name) ? ClusterPhases.Updating : settled;
    components[name] = { phase, podsReady: replicas.every((r) => r.ready), replicas };
  }
  const unplaced = Object.values(outcome.readings)
    .flat()
    .filter((r) => !r.member)
    .map((r) => r.podName);
  const conditions: ConditionState[] = [
    outcome.missingDefinitions.length
      ? {
          type: InstanceConditions.ComponentDefinitionsFound,
          status: "False",
          reason: "ComponentDefinitionNotFound",
          message: `ComponentDefinition not found for component ${outcome.missingDefinitions.join(", ")}`,
        }
      : {
          type: InstanceConditions.ComponentDefinitionsFound,
          status: "True",
          reason: "Found",
          message: "",
        },
    blocked.length
      ? {
          type: InstanceConditions.ReplicasPlaced,
          status: "False",
          reason: "NoEligibleMember",
          message: blocked.join("; "),
        }
      : unplaced.length
        ? {
            type: InstanceConditions.ReplicasPlaced,
            status: "False",
            reason: "NoEligibleMember",
            message: `no member may take ${unplaced.join(", ")}: candidates ${candidates.join(",") || "none"} are disabled, cordoned, tainted or not Ready`,
          }
        : { type: InstanceConditions.ReplicasPlaced, status: "True", reason: "Placed", message: "" },
    outcome.failures.length
      ? {
          type: InstanceConditions.Applied,
          status: "False",
          reason: "ApplyFailed",
          message: outcome.failures.join("; "),
        }
      : { type: InstanceConditions.Applied, status: "True", reason: "Applied", message: "" },
  ];
  const phase = outcome.missingDefinitions.length
    ? ClusterPhases.Failed
    : clusterPhase(Object.values(components));
  return { phase, components, conditions };
}
