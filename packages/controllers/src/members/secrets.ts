import { KUBECONFIG_SECRET, type MemberCluster } from "@atoll/api";
import type { Informer } from "@atoll/kube";
import { isRecord } from "@atoll/kube";
import { JoinError, JoinFailure } from "./connection.ts";

/**
 * The member's kubeconfig text and context from its Secret, and an identity
 * that changes whenever either does (so the hub reconnects).
 */
export function loadKubeconfig(
  mc: MemberCluster,
  secrets: Informer,
): { text: string; context: string | undefined; identity: string } {
  const ref = mc.spec.kubeconfig.secretRef;
  const secret = secrets.get(`${ref.namespace}/${ref.name}`);
  if (!secret)
    throw new JoinError(JoinFailure.SecretNotFound, `secret ${ref.namespace}/${ref.name} not found`);
  const key = mc.spec.kubeconfig.key ?? KUBECONFIG_SECRET.key;
  const data = isRecord(secret.data) ? secret.data[key] : undefined;
  if (typeof data !== "string" || data === "") {
    throw new JoinError(
      JoinFailure.InvalidKubeconfig,
      `secret ${ref.namespace}/${ref.name} has no "${key}" key`,
    );
  }
  const text = Buffer.from(data, "base64").toString("utf8");
  const context = mc.spec.kubeconfig.context || undefined;
  return { text, context, identity: `${secret.metadata.resourceVersion}/${key}/${context ?? ""}` };
}
