import { KUBECONFIG_SECRET, MEMBER_CLUSTERS, type MemberCluster, MemberConditions } from "@atoll/api";
import type { HubControllers } from "@atoll/controllers";
import { type KubeClient, R } from "@atoll/kube";
import { type KubeconfigContext, kubeconfigDocument } from "@atoll/sim/kubeconfig";
import { UpError } from "./up-error.ts";

/** The KubeBlocks-style Secret holding every member's context, as the multi-cluster guide keeps it. */
export const MEMBERS_SECRET = { namespace: "kb-system", name: "atoll-members" } as const;

const FIELD_MANAGER = "atoll-up";
const POLL_MS = 50;

/**
 * Writes the members' kubeconfig (contexts k8s-1…k8s-N) into the
 * `kb-system` Secret the controllers' multi-cluster settings name; on a
 * restart the same Secret is brought up to date.
 */
export async function joinMembers(hub: KubeClient, members: readonly KubeconfigContext[]): Promise<void> {
  const apply = { fieldManager: FIELD_MANAGER, force: true };
  await hub.patch(
    R.namespaces,
    undefined,
    MEMBERS_SECRET.namespace,
    "apply",
    { apiVersion: "v1", kind: "Namespace", metadata: { name: MEMBERS_SECRET.namespace } },
    apply,
  );
  const kubeconfig = kubeconfigDocument(members);
  await hub.patch(
    R.secrets,
    MEMBERS_SECRET.namespace,
    MEMBERS_SECRET.name,
    "apply",
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: MEMBERS_SECRET.name, namespace: MEMBERS_SECRET.namespace },
      type: KUBECONFIG_SECRET.type,
      data: { [KUBECONFIG_SECRET.key]: Buffer.from(kubeconfig).toString("base64") },
    },
    apply,
  );
}

/**
 * Resolves once each member's MemberCluster is Ready=True *and* this run's
 * controllers have probed it successfully (a restarted hub still holds the
 * last run's Ready condition). Calls `onReady` once per member as it gets
 * there; rejects with NotReady, naming each laggard and why, after `timeoutMs`.
 */
export async function waitMembersReady(options: {
  hub: KubeClient;
  controllers: HubControllers;
  names: readonly string[];
  timeoutMs: number;
  signal: AbortSignal;
  onReady: (name: string) => void;
}): Promise<void> {
  const pending = new Set(options.names);
  const started = performance.now();
  let last = new Map<string, string>();
  while (pending.size > 0) {
    options.signal.throwIfAborted();
    const list = await options.hub.list(MEMBER_CLUSTERS);
    last = new Map();
    for (const object of list.items) {
      const mc = object as MemberCluster;
      const name = mc.metadata.name ?? "";
      if (!pending.has(name)) continue;
      const ready = mc.status?.conditions?.find((c) => c.type === MemberConditions.Ready);
      const probed = options.controllers.members.runtime(name)?.health.lastSuccess !== undefined;
      if (ready?.status === "True" && probed) {
        pending.delete(name);
        options.onReady(name);
      } else {
        const joined = mc.status?.conditions?.find((c) => c.type === MemberConditions.Joined);
        const why = joined?.status === "False" ? joined : ready;
        last.set(name, why ? `${why.type}=${why.status} ${why.reason}: ${why.message}` : "no status yet");
      }
    }
    if (pending.size === 0) return;
    if (performance.now() - started > options.timeoutMs) {
      const reasons = [...pending].map((name) => `${name}: ${last.get(name) ?? "no MemberCluster"}`);
      throw new UpError(
        "NotReady",
        `not every member became Ready within ${options.timeoutMs / 1000}s (${reasons.join("; ")}); ` +
          "see the members' logs under DATA_DIR/members/ and DATA_DIR/hub/hub.log",
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
