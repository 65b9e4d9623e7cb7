import type { MemberCluster, ResourceList, Taint } from "@atoll/api";
import type { ScheduleInput } from "./schedule-types.ts";

/** How a test member looks; everything optional, defaults to a healthy member serving Deployments and ConfigMaps. */
export type MemberShape = {
  region?: string;
  zone?: string;
  provider?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  disabled?: boolean;
  /** `group/version Kind` strings served; default apps/v1 Deployment and v1 ConfigMap. Empty: not reported. */
  apis?: string[];
  /** Cores free for 1-cpu replicas (allocatable 16, allocated 16 − free); default 16. */
  freeCpu?: number;
  /** Replace the resource summary entirely (undefined fields stay unset). */
  summary?: { allocatable?: ResourceList; allocated?: ResourceList } | null;
};

/** A MemberCluster for scheduler tests. */
export function member(name: string, shape: MemberShape = {}): MemberCluster {
  const apis = shape.apis ?? ["apps/v1 Deployment", "v1 ConfigMap"];
  const byGroupVersion = new Map<string, Array<{ name: string; kind: string }>>();
  for (const api of apis) {
    const [groupVersion, kind] = api.split(" ");
    byGroupVersion.set(groupVersion, [
      ...(byGroupVersion.get(groupVersion) ?? []),
      { name: `${kind.toLowerCase()}s`, kind },
    ]);
  }
  const free = shape.freeCpu ?? 16;
  const summary =
    shape.summary === null
      ? undefined
      : (shape.summary ?? {
          allocatable: { cpu: "16", memory: "64Gi", pods: "110" },
          allocated: { cpu: `${16 - free}`, memory: "0", pods: "0" },
        });
  const mc: MemberCluster = {
    apiVersion: "cluster.atoll.io/v1alpha1",
    kind: "MemberCluster",
    metadata: { name, labels: shape.labels ?? {} },
    spec: {
      kubeconfig: { secretRef: { namespace: "atoll-system", name } },
      region: shape.region,
      zone: shape.zone,
      provider: shape.provider,
      taints: shape.taints,
      unschedulable: shape.unschedulable,
      disabled: shape.disabled,
    },
    status: {
      apiEnablements: [...byGroupVersion].map(([groupVersion, resources]) => ({ groupVersion, resources })),
    },
  };
  if (summary && mc.status) mc.status.resourceSummary = summary;
  return mc;
}

export const DEPLOYMENT = { group: "apps", version: "v1", kind: "Deployment" };
export const NOW = new Date("2025-01-01T00:00:00Z");

/** A schedule input for a Deployment with `replicas`, at NOW; override anything. */
export function input(clusters: MemberCluster[], overrides: Partial<ScheduleInput> = {}): ScheduleInput {
  return { placement: {}, replicas: 1, gvk: DEPLOYMENT, clusters, now: NOW, ...overrides };
}
