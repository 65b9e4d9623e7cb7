import {
  type Cluster,
  type ClusterPhase,
  ClusterPhases,
  type ComputeResources,
  type OpsRequest,
  type OpsType,
  OpsTypes,
} from "@atoll/api";
import { parseQuantity } from "@atoll/kube";
import { podName } from "../instances/instance-names.ts";
import { LEADER_ROLE, OpsReasons } from "./ops-names.ts";
import {
  componentNames,
  horizontalOf,
  isKnownType,
  switchoversOf,
  targetComponents,
  verticalOf,
} from "./ops-spec.ts";

/** Why an operation cannot run: a condition reason and a message for the user. */
export type Problem = { reason: string; message: string };

const UP: readonly ClusterPhase[] = [ClusterPhases.Running, ClusterPhases.Abnormal, ClusterPhases.Failed];

/** The Cluster phases each operation may start from (KubeBlocks 0.9's). */
export const FROM_PHASES: Record<OpsType, readonly ClusterPhase[]> = {
  [OpsTypes.Restart]: UP,
  [OpsTypes.HorizontalScaling]: UP,
  [OpsTypes.VerticalScaling]: UP,
  [OpsTypes.Switchover]: UP,
  [OpsTypes.Stop]: [...UP, ClusterPhases.Updating],
  [OpsTypes.Start]: [ClusterPhases.Stopped],
};

const invalid = (message: string): Problem => ({ reason: OpsReasons.ValidateFailed, message });

/**
 * What is wrong with an operation on this Cluster that waiting cannot fix:
 * an unknown type, components the Cluster does not have, missing or
 * malformed values. Undefined when it may run.
 */
export function validate(op: OpsRequest, cluster: Cluster): Problem | undefined {
  const type = op.spec.type;
  if (!isKnownType(type))
    return { reason: OpsReasons.OpsTypeNotSupported, message: `type ${String(type)} is not supported` };
  const clusterName = cluster.metadata.name;
  if (cluster.metadata.deletionTimestamp) return invalid(`Cluster ${clusterName} is being deleted`);
  const known = componentNames(cluster);
  const targets = targetComponents(op, cluster);
  if (!targets.length) return invalid(`a ${type} OpsRequest needs at least one component`);
  const missing = targets.filter((t) => !known.includes(t));
  if (missing.length) {
    return invalid(
      `component ${missing.join(", ")} not found in Cluster ${clusterName} (components: ${known.join(", ") || "none"})`,
    );
  }
  if (type === OpsTypes.HorizontalScaling) return validateHorizontal(op);
  if (type === OpsTypes.VerticalScaling) return validateVertical(op, cluster);
  if (type === OpsTypes.Switchover) return validateSwitchover(op, cluster);
  return undefined;
}

function validateHorizontal(op: OpsRequest): Problem | undefined {
  for (const entry of horizontalOf(op)) {
    const replicas = entry.replicas;
    if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
      return invalid(
        `horizontalScaling of ${entry.componentName} needs replicas, a whole number ≥ 0 (scaleOut and scaleIn are not supported)`,
      );
    }
  }
  return undefined;
}

function validateVertical(op: OpsRequest, cluster: Cluster): Problem | undefined {
  for (const entry of verticalOf(op)) {
    const name = entry.componentName;
    if (!entry.requests && !entry.limits)
      return invalid(`verticalScaling of ${name} needs requests or limits`);
    const current = cluster.spec.componentSpecs?.find((c) => c.name === name)?.resources ?? {};
    const requests = quantities(entry.requests ?? current.requests);
    const limits = quantities(entry.limits ?? current.limits);
    if (typeof requests === "string") return invalid(`verticalScaling of ${name}: requests: ${requests}`);
    if (typeof limits === "string") return invalid(`verticalScaling of ${name}: limits: ${limits}`);
    for (const [resource, request] of requests) {
      const limit = limits.get(resource);
      if (limit !== undefined && request > limit) {
        return invalid(
          `verticalScaling of ${name}: the ${resource} request must be less than or equal to its limit`,
        );
      }
    }
  }
  return undefined;
}

/** Parsed quantities by resource, or what is wrong with them. */
function quantities(list: ComputeResources | undefined): Map<string, number> | string {
  const parsed = new Map<string, number>();
  for (const [resource, value] of Object.entries(list ?? {})) {
    try {
      parsed.set(resource, parseQuantity(value));
    } catch (error) {
      return `${resource}: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  return parsed;
}

function validateSwitchover(op: OpsRequest, cluster: Cluster): Problem | undefined {
  for (const entry of switchoversOf(op)) {
    const name = entry.componentName;
    const pods = replicaPods(cluster, name);
    if (entry.instanceName === "*") {
      if (pods.length < 2) return invalid(`switchover of ${name} needs at least two replicas`);
    } else if (typeof entry.instanceName !== "string" || !pods.includes(entry.instanceName)) {
      return invalid(
        `switchover of ${name}: instanceName ${String(entry.instanceName)} is not a replica of the component (${pods.join(", ") || "none"}), nor "*"`,
      );
    }
  }
  return undefined;
}

/** The pods of a component: those its status lists, else those its replica count implies. */
function replicaPods(cluster: Cluster, component: string): string[] {
  const listed = cluster.status?.components?.[component]?.replicas?.map((r) => r.podName) ?? [];
  if (listed.length) return listed;
  const replicas = cluster.spec.componentSpecs?.find((c) => c.name === component)?.replicas ?? 1;
  return Array.from({ length: replicas }, (_, i) => podName(cluster.metadata.name ?? "", component, i));
}

/**
 * Whether the Cluster's phase lets the operation start now (KubeBlocks'
 * pre-check); `force` skips it, except for Start.
 */
export function checkClusterPhase(op: OpsRequest, cluster: Cluster): Problem | undefined {
  const type = op.spec.type;
  if (!isKnownType(type)) return undefined;
  if (op.spec.force === true && type !== OpsTypes.Start) return undefined;
  const phase = cluster.status?.phase;
  if (phase && FROM_PHASES[type].includes(phase)) return undefined;
  return {
    reason: OpsReasons.ClusterPhaseMismatch,
    message: `OpsRequest.spec.type=${type} is forbidden when Cluster.status.phase=${phase ?? "(none yet)"}`,
  };
}

/** What only the moment of starting can tell: a Switchover to "*" needs a leader to move away from. */
export function checkAtStart(op: OpsRequest, cluster: Cluster): Problem | undefined {
  if (op.spec.type !== OpsTypes.Switchover) return undefined;
  for (const entry of switchoversOf(op)) {
    if (entry.instanceName !== "*") continue;
    if (!leaderOf(cluster, entry.componentName)) {
      return invalid(`switchover of ${entry.componentName}: the component has no leader to move away from`);
    }
  }
  return undefined;
}

/** The pod of a component whose role is leader, as the Cluster's status last said. */
export function leaderOf(cluster: Cluster, component: string): string | undefined {
  return cluster.status?.components?.[component]?.replicas?.find((r) => r.role === LEADER_ROLE)?.podName;
}
