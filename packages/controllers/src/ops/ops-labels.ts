import { OPS_REQUESTS, opsClusterName } from "@atoll/api";
import { type KubeClient, objectKeyOf } from "@atoll/kube";
import { messageOf } from "./cluster-writes.ts";
import { OpsLabels } from "./ops-names.ts";
import type { Ops } from "./ops-spec.ts";

const LABEL_VALUE = /^([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$/;

/** KubeBlocks' labels (the Cluster, the type) an operation lacks; values that cannot be labels are left out. */
export function missingLabels(op: Ops): Record<string, string> {
  const wanted: Record<string, string> = {};
  const labels = { [OpsLabels.instance]: opsClusterName(op.spec), [OpsLabels.opsType]: String(op.spec.type) };
  for (const [key, value] of Object.entries(labels)) {
    if (LABEL_VALUE.test(value) && op.metadata.labels?.[key] !== value) wanted[key] = value;
  }
  return wanted;
}

/** Puts the missing labels on the operation; true when it wrote some. */
export async function labelOps(hub: KubeClient, op: Ops): Promise<boolean> {
  const labels = missingLabels(op);
  if (!Object.keys(labels).length) return false;
  try {
    await hub.patch(OPS_REQUESTS, op.metadata.namespace, op.metadata.name ?? "", "merge", {
      metadata: { labels },
    });
  } catch (error) {
    throw new Error(`failed to label OpsRequest ${objectKeyOf(op)}: ${messageOf(error)}`, { cause: error });
  }
  return true;
}
