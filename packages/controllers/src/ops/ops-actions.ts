import {
  type Cluster,
  type ClusterComponentSpec,
  InstanceOperationAnnotations,
  type OpsRequest,
  OpsTypes,
  type ResourceRequirements,
  type RestartRequest,
  type SwitchoverRequest,
} from "@atoll/api";
import { isRecord } from "@atoll/kube";
import {
  horizontalOf,
  type LastConfiguration,
  restartsOf,
  switchoverId,
  switchoversOf,
  targetComponents,
  verticalOf,
} from "./ops-spec.ts";

/**
 * A change to a Cluster: its whole new `spec.componentSpecs` (a merge patch
 * replaces lists), and annotations to set (null removes one).
 */
export type ClusterChange = {
  componentSpecs?: ClusterComponentSpec[];
  annotations?: Record<string, string | null>;
};

/**
 * What an operation changes on the Cluster when it starts — the contract
 * with the instance controller: Stop sets `componentSpecs[].stop`, Start
 * removes it, HorizontalScaling sets `replicas`, VerticalScaling `resources`,
 * Restart adds its components to the restart annotation (keeping the others'
 * entries), and Switchover asks for its first component's switchover.
 */
export function startChange(op: OpsRequest, cluster: Cluster, now: Date): ClusterChange {
  const targets = new Set(targetComponents(op, cluster));
  const specs = cluster.spec.componentSpecs ?? [];
  const edit = (change: (spec: ClusterComponentSpec) => ClusterComponentSpec): ClusterChange => ({
    componentSpecs: specs.map((spec) => (targets.has(spec.name) ? change(spec) : spec)),
  });
  switch (op.spec.type) {
    case OpsTypes.Stop:
      return edit((spec) => ({ ...spec, stop: true }));
    case OpsTypes.Start:
      return edit(({ stop: _stop, ...spec }) => spec);
    case OpsTypes.HorizontalScaling: {
      const replicas = new Map(horizontalOf(op).map((e) => [e.componentName, e.replicas]));
      return edit((spec) => ({ ...spec, replicas: replicas.get(spec.name) ?? spec.replicas }));
    }
    case OpsTypes.VerticalScaling: {
      const sizes = new Map(verticalOf(op).map((e) => [e.componentName, e]));
      return edit((spec) => {
        const size = sizes.get(spec.name);
        return {
          ...spec,
          resources: resourcesOf({
            requests: size?.requests ?? spec.resources?.requests,
            limits: size?.limits ?? spec.resources?.limits,
          }),
        };
      });
    }
    case OpsTypes.Restart: {
      const at = now.toISOString();
      const request: RestartRequest = { ...restartRequest(cluster) };
      for (const entry of restartsOf(op)) request[entry.componentName] = at;
      return { annotations: { [InstanceOperationAnnotations.restart]: JSON.stringify(request) } };
    }
    case OpsTypes.Switchover: {
      const first = switchoversOf(op)[0];
      return first ? switchoverChange(op, first.componentName) : {};
    }
    default:
      return {};
  }
}

/** The Cluster's current restart request; an unreadable one reads as empty. */
function restartRequest(cluster: Cluster): RestartRequest {
  const text = cluster.metadata.annotations?.[InstanceOperationAnnotations.restart];
  try {
    const parsed: unknown = text ? JSON.parse(text) : {};
    if (!isRecord(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed).filter(([, v]) => typeof v === "string"),
    ) as RestartRequest;
  } catch {
    return {};
  }
}

/** The switchover request for one of the operation's components. */
export function switchoverChange(op: OpsRequest, component: string): ClusterChange {
  const entry = switchoversOf(op).find((e) => e.componentName === component);
  const request: SwitchoverRequest = {
    id: switchoverId(op, component),
    component,
    ...(entry && entry.instanceName !== "*" ? { candidate: entry.instanceName } : {}),
  };
  return { annotations: { [InstanceOperationAnnotations.switchover]: JSON.stringify(request) } };
}

function resourcesOf(resources: ResourceRequirements): ResourceRequirements {
  return {
    ...(resources.requests ? { requests: resources.requests } : {}),
    ...(resources.limits ? { limits: resources.limits } : {}),
  };
}

/** What HorizontalScaling and VerticalScaling change, as it was before: what a cancel restores. */
export function lastConfiguration(op: OpsRequest, cluster: Cluster): LastConfiguration | undefined {
  if (op.spec.type !== OpsTypes.HorizontalScaling && op.spec.type !== OpsTypes.VerticalScaling)
    return undefined;
  const components: LastConfiguration["components"] = {};
  for (const name of targetComponents(op, cluster)) {
    const spec = cluster.spec.componentSpecs?.find((c) => c.name === name);
    if (!spec) continue;
    components[name] =
      op.spec.type === OpsTypes.HorizontalScaling
        ? { replicas: spec.replicas ?? 1 }
        : { resources: resourcesOf(spec.resources ?? {}) };
  }
  return { components };
}

/** The change that puts back what the operation changed (HorizontalScaling and VerticalScaling only). */
export function cancelChange(cluster: Cluster, last: LastConfiguration): ClusterChange {
  const specs = cluster.spec.componentSpecs ?? [];
  return {
    componentSpecs: specs.map((spec) => {
      const before = last.components[spec.name];
      if (!before) return spec;
      if (before.replicas !== undefined) return { ...spec, replicas: before.replicas };
      if (before.resources !== undefined) {
        const { resources: _resources, ...rest } = spec;
        return Object.keys(before.resources).length ? { ...rest, resources: before.resources } : rest;
      }
      return spec;
    }),
  };
}
