import type { MemberCluster } from "@atoll/api";
import { FIT, type FilterPlugin } from "../framework.ts";
import type { GroupVersionKind } from "../schedule-types.ts";

/** `apps/v1 Deployment`, or `v1 ConfigMap` for the core group. */
export function formatGvk(gvk: GroupVersionKind): string {
  return `${gvk.group ? `${gvk.group}/` : ""}${gvk.version} ${gvk.kind}`;
}

/** Whether the member's discovered APIs (status.apiEnablements) serve the kind; undefined when not reported. */
export function servesKind(cluster: MemberCluster, gvk: GroupVersionKind): boolean | undefined {
  const enablements = cluster.status?.apiEnablements;
  if (!enablements?.length) return undefined;
  const groupVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
  return enablements.some(
    (e) => e.groupVersion === groupVersion && e.resources.some((r) => r.kind === gvk.kind),
  );
}

/** Members must serve the object's group/version/kind; a member that has not reported its APIs yet cannot be judged, so it is turned away. */
export const apiEnablement: FilterPlugin = {
  name: "APIEnablement",
  filter(cluster, ctx) {
    const served = servesKind(cluster, ctx.gvk);
    if (served === undefined)
      return { fit: false, reason: "the cluster has not reported its served APIs yet" };
    if (!served) return { fit: false, reason: `the cluster does not serve ${formatGvk(ctx.gvk)}` };
    return FIT;
  },
};
