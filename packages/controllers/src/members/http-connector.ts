import { HttpKubeClient, KubeconfigError } from "@atoll/kube/http-client";
import { type Connector, JoinError, JoinFailure, type MemberConnection } from "./connection.ts";

/** Connects to members over HTTPS with client-node's kubeconfig handling (the production connector). */
export const httpConnector: Connector = (kubeconfig, context): MemberConnection => {
  let client: HttpKubeClient;
  try {
    client = HttpKubeClient.fromKubeconfigText(kubeconfig, {
      context,
      fieldManager: "atoll-hub",
      timeoutMs: 15_000,
    });
  } catch (error) {
    if (error instanceof KubeconfigError) {
      const reason =
        error.reason === "ContextNotFound" || error.reason === "NoCurrentContext"
          ? JoinFailure.ContextNotFound
          : JoinFailure.InvalidKubeconfig;
      throw new JoinError(reason, error.message, { cause: error });
    }
    throw new JoinError(JoinFailure.InvalidKubeconfig, `the kubeconfig cannot be used: ${String(error)}`, {
      cause: error,
    });
  }
  return {
    client,
    server: client.server,
    caData: client.caData,
    get: (path, options = {}) =>
      client.request("GET", path, { accept: options.accept, timeoutMs: options.timeoutMs }),
    close: () => client.close(),
  };
};
