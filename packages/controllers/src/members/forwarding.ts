import { readFileSync } from "node:fs";
import { KUBECONFIG_SECRET, MEMBER_CLUSTERS, type MemberCluster, MemberConditions } from "@atoll/api";
import type { ForwardingResolver, ForwardTarget } from "@atoll/apiserver";
import { isRecord, type KubeClient, R, StatusError } from "@atoll/kube";
import { pickContext, readKubeconfig, type SelectedContext } from "@atoll/kube/http/kubeconfig-data";

/**
 * Where the hub forwards `/clusters/{name}/…`: the member's API server with
 * the member's own credentials, read from its MemberCluster and kubeconfig
 * Secret. Disabled or unreachable members answer 503 saying which and why.
 */
export function memberForwardingResolver(hub: () => KubeClient): ForwardingResolver {
  return {
    async resolve(name) {
      const mc = (await hub().get(MEMBER_CLUSTERS, undefined, name)) as MemberCluster | undefined;
      if (!mc) throw new StatusError("NotFound", `memberclusters.cluster.atoll.io "${name}" not found`);
      if (mc.spec.disabled) {
        throw new StatusError(
          "ServiceUnavailable",
          `member ${name} is disabled: the hub does not talk to it until it is enabled`,
        );
      }
      const ready = mc.status?.conditions?.find((c) => c.type === MemberConditions.Ready);
      if (ready?.status === "Unknown" && ready.reason === "ClusterUnreachable") {
        throw new StatusError("ServiceUnavailable", `member ${name} is unreachable: ${ready.message}`);
      }
      const ref = mc.spec.kubeconfig.secretRef;
      const secret = await hub().get(R.secrets, ref.namespace, ref.name);
      const data =
        secret && isRecord(secret.data)
          ? secret.data[mc.spec.kubeconfig.key ?? KUBECONFIG_SECRET.key]
          : undefined;
      if (typeof data !== "string") {
        throw new StatusError(
          "ServiceUnavailable",
          `member ${name} has no usable kubeconfig (secret ${ref.namespace}/${ref.name})`,
        );
      }
      return targetFromKubeconfig(
        name,
        Buffer.from(data, "base64").toString("utf8"),
        mc.spec.kubeconfig.context,
      );
    },
  };
}

/** The server and credentials of one context of a kubeconfig. */
export function targetFromKubeconfig(
  member: string,
  text: string,
  context: string | undefined,
): ForwardTarget {
  // Read without client-node, whose ~40 MiB the hub need not carry to forward a request.
  let selected: SelectedContext;
  try {
    selected = pickContext(readKubeconfig(text), context);
  } catch (error) {
    throw new StatusError(
      "ServiceUnavailable",
      `member ${member} has an unusable kubeconfig: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const { cluster, user } = selected;
  const pem = (data: string | undefined, file: string | undefined) =>
    data ? Buffer.from(data, "base64").toString("utf8") : file ? readFileSync(file, "utf8") : undefined;
  return {
    server: cluster.server,
    caPem: pem(cluster.caData, cluster.caFile),
    token: user?.token,
    clientCertPem: pem(user?.certData, user?.certFile),
    clientKeyPem: pem(user?.keyData, user?.keyFile),
    insecureSkipTLSVerify: cluster.skipTLSVerify,
  };
}
