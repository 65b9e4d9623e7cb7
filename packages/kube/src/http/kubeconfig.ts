import { createRequire } from "node:module";
import type { KubeConfig } from "@kubernetes/client-node";

type ClientNode = typeof import("@kubernetes/client-node");

/** Why a kubeconfig cannot give a client. */
export type KubeconfigProblem =
  | "Unreadable"
  | "NoCurrentContext"
  | "ContextNotFound"
  | "ClusterNotFound"
  | "UserNotFound"
  | "InvalidServer";

/** A kubeconfig that cannot give a client; branch on `reason`. */
export class KubeconfigError extends Error {
  readonly reason: KubeconfigProblem;
  constructor(reason: KubeconfigProblem, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "KubeconfigError";
    this.reason = reason;
  }
}

/**
 * client-node, loaded on first use: importing it costs about half a second,
 * which every user of `@atoll/kube` would otherwise pay at startup, HTTP
 * client or not.
 */
function newKubeConfig(): KubeConfig {
  const clientNode = createRequire(import.meta.url)("@kubernetes/client-node") as ClientNode;
  return new clientNode.KubeConfig();
}

/**
 * Parses kubeconfig YAML with client-node, failing with `unreadable kubeconfig: …`
 * (the parser's error as `cause`) when the text is not a kubeconfig document.
 */
export function parseKubeconfig(text: string): KubeConfig {
  const kc = newKubeConfig();
  try {
    kc.loadFromString(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new KubeconfigError("Unreadable", `unreadable kubeconfig: ${message}`, { cause: error });
  }
  return kc;
}

/**
 * A KubeConfig holding only `context` (default: the current one) and its
 * cluster and user, so that a client never depends on, or changes, the
 * caller's current context. Throws a `KubeconfigError` naming what is missing.
 *
 * Plain `http://` servers are marked insecure-skip-tls-verify in the copy:
 * client-node refuses to apply options for them otherwise, and there is no TLS
 * to verify.
 */
export function selectContext(kc: KubeConfig, context: string | undefined): KubeConfig {
  const names = kc.getContexts().map((c) => c.name);
  const known = names.length ? names.map((n) => `"${n}"`).join(", ") : "none";
  const name = context ?? kc.getCurrentContext();
  if (!name) {
    const message = `kubeconfig has no current-context and no context was given (contexts: ${known})`;
    throw new KubeconfigError("NoCurrentContext", message);
  }
  const selected = kc.getContextObject(name);
  if (!selected) {
    throw new KubeconfigError(
      "ContextNotFound",
      `context "${name}" not found in kubeconfig (contexts: ${known})`,
    );
  }
  const cluster = kc.getCluster(selected.cluster);
  if (!cluster) {
    const message = `context "${name}" refers to cluster "${selected.cluster}", which the kubeconfig does not define`;
    throw new KubeconfigError("ClusterNotFound", message);
  }
  const user = selected.user ? kc.getUser(selected.user) : null;
  if (selected.user && !user) {
    const message = `context "${name}" refers to user "${selected.user}", which the kubeconfig does not define`;
    throw new KubeconfigError("UserNotFound", message);
  }
  if (!URL.canParse(cluster.server) || !/^https?:$/.test(new URL(cluster.server).protocol)) {
    const message = `cluster "${cluster.name}" has server "${cluster.server}": expected an http(s) URL`;
    throw new KubeconfigError("InvalidServer", message);
  }
  const plainHttp = cluster.server.startsWith("http:");
  const own = newKubeConfig();
  own.loadFromOptions({
    clusters: [plainHttp ? { ...cluster, skipTLSVerify: true } : cluster],
    // client-node applies the cluster's TLS settings only when there is a user.
    users: [user ?? { name: "anonymous" }],
    contexts: [{ ...selected, user: user?.name ?? "anonymous" }],
    currentContext: name,
  });
  return own;
}
