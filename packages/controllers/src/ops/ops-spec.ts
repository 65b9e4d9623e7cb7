import {
  type Cluster,
  type ComponentOps,
  type HorizontalScaling,
  type OpsRequest,
  type OpsRequestComponentStatus,
  type OpsRequestStatus,
  type OpsType,
  OpsTypes,
  type ResourceRequirements,
  type Switchover,
  type VerticalScaling,
} from "@atoll/api";
import { isRecord } from "@atoll/kube";

/** What each component looked like before the operation changed it (KubeBlocks' `status.lastConfiguration`). */
export type LastConfiguration = {
  components: Record<string, { replicas?: number; resources?: ResourceRequirements }>;
};

/** One object an operation works through (a replica's pod), as KubeBlocks' `progressDetails[]`. */
export type ProgressDetail = { objectKey: string; status: string; message?: string };

export type OpsComponentStatus = OpsRequestComponentStatus & {
  progressDetails?: ProgressDetail[];
  /** Switchover: the leader when the operation started. */
  leaderBefore?: string;
};

/** The status Atoll writes: KubeBlocks' fields plus what judging progress needs. */
export type OpsStatus = Omit<OpsRequestStatus, "components"> & {
  components?: Record<string, OpsComponentStatus>;
  lastConfiguration?: LastConfiguration;
  /**
   * A digest of the Cluster's status right after a Restart made its request:
   * the Cluster's replicas say nothing about the request until the instance
   * controller has written the status again, which changes the digest.
   */
  clusterStatusDigest?: string;
};

export type Ops = OpsRequest & { status?: OpsStatus };

/** `spec.<field>` as a list of per-component entries, whatever was sent. */
function entries<T extends ComponentOps>(op: OpsRequest, field: string): T[] {
  const value = op.spec[field];
  if (!Array.isArray(value)) return [];
  return value.filter((e): e is T => isRecord(e) && typeof e.componentName === "string");
}

export const restartsOf = (op: OpsRequest) => entries<ComponentOps>(op, "restart");
export const horizontalOf = (op: OpsRequest) => entries<HorizontalScaling>(op, "horizontalScaling");
export const verticalOf = (op: OpsRequest) => entries<VerticalScaling>(op, "verticalScaling");
export const switchoversOf = (op: OpsRequest) => entries<Switchover>(op, "switchover");

/** The names of the Cluster's components, in spec order. */
export function componentNames(cluster: Cluster): string[] {
  return (cluster.spec.componentSpecs ?? []).map((c) => c.name);
}

/**
 * The components an operation acts on, in its spec's order. Stop and Start
 * act on `spec.stop[]`/`spec.start[]` when given (KubeBlocks 0.9), else on
 * every component.
 */
export function targetComponents(op: OpsRequest, cluster: Cluster): string[] {
  const names = (list: ComponentOps[]) => list.map((e) => e.componentName);
  switch (op.spec.type as OpsType) {
    case OpsTypes.Restart:
      return names(restartsOf(op));
    case OpsTypes.HorizontalScaling:
      return names(horizontalOf(op));
    case OpsTypes.VerticalScaling:
      return names(verticalOf(op));
    case OpsTypes.Switchover:
      return names(switchoversOf(op));
    case OpsTypes.Stop:
    case OpsTypes.Start: {
      const listed = names(entries(op, op.spec.type === OpsTypes.Stop ? "stop" : "start"));
      return listed.length ? listed : componentNames(cluster);
    }
    default:
      return [];
  }
}

/** Whether the type is one Atoll performs. */
export function isKnownType(type: unknown): type is OpsType {
  return (Object.values(OpsTypes) as unknown[]).includes(type);
}

/** The switchover request id of a component: the op's uid, plus the component when the op lists several. */
export function switchoverId(op: OpsRequest, component: string): string {
  const uid = op.metadata.uid ?? op.metadata.name ?? "";
  return switchoversOf(op).length > 1 ? `${uid}/${component}` : uid;
}
