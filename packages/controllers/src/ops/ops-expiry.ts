import { OPS_REQUESTS, type OpsPhase, OpsPhases } from "@atoll/api";
import { type KubeClient, objectKeyOf, type ReconcileResult, StatusError } from "@atoll/kube";
import { messageOf } from "./cluster-writes.ts";
import type { Ops } from "./ops-spec.ts";

/** ttlSecondsAfterSucceed for Succeed; KubeBlocks' ttlSecondsAfterUnsuccessfulCompletion for the other ends. */
export function ttlOf(op: Ops): number | undefined {
  const phase: OpsPhase | undefined = op.status?.phase;
  const ttl =
    phase === OpsPhases.Succeed
      ? op.spec.ttlSecondsAfterSucceed
      : op.spec.ttlSecondsAfterUnsuccessfulCompletion;
  return typeof ttl === "number" && ttl >= 0 ? ttl : undefined;
}

/**
 * Deletes a finished operation once its TTL has passed since its
 * completionTimestamp; before that, asks to be called again when it is due.
 */
export async function expire(hub: KubeClient, op: Ops, now: Date): Promise<ReconcileResult> {
  const ttl = ttlOf(op);
  if (ttl === undefined) return undefined;
  const due = Date.parse(op.status?.completionTimestamp ?? "") + ttl * 1000;
  if (Number.isNaN(due)) return undefined;
  const left = due - now.getTime();
  if (left > 0) return { requeueAfterMs: left };
  try {
    await hub.delete(OPS_REQUESTS, op.metadata.namespace, op.metadata.name ?? "", {
      preconditions: { uid: op.metadata.uid },
    });
  } catch (error) {
    if (error instanceof StatusError && error.reason === "NotFound") return undefined;
    throw new Error(`failed to delete OpsRequest ${objectKeyOf(op)} after its TTL: ${messageOf(error)}`, {
      cause: error,
    });
  }
  return undefined;
}
