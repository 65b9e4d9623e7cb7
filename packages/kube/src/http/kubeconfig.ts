import { createRequire } from "node:module";
import type { KubeConfig } from "@kubernetes/client-node";
import { KubeconfigError, pickContext } from "./kubeconfig-data.ts";

type ClientNode = typeof import("@kubernetes/client-node");

export {
  KubeconfigError,
  type KubeconfigProblem,
} from "./kubeconfig-data.ts";

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
  const { context: selected, cluster, user } = pickContext(kc, context);
  const plainHttp = cluster.server.startsWith("http:");
  const own = newKubeConfig();
  own.loadFromOptions({
    clusters: [{ ...cluster, skipTLSVerify: plainHttp || cluster.skipTLSVerify === true }],
    // client-node applies the cluster's TLS settings only when there is a user.
    users: [user ?? { name: "anonymous" }],
    contexts: [{ ...selected, user: user?.name ?? "anonymous" }],
    currentContext: selected.name,
  });
  return own;
}
