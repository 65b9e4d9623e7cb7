import type { Informer, KubeClient, Runnable } from "@atoll/kube";
import { Controller, R, StatusError } from "@atoll/kube";

/** Every active namespace gets a `default` ServiceAccount, recreated if deleted (kube-controller-manager's serviceaccount controller). */
export class ServiceAccountController implements Runnable {
  #controller: Controller;

  constructor(options: {
    client: KubeClient;
    namespaces: Informer;
    serviceAccounts: Informer;
    onError?: (controller: string, key: string, error: unknown) => void;
  }) {
    const { client, namespaces, serviceAccounts } = options;
    this.#controller = new Controller({
      name: "serviceaccount",
      onError: options.onError,
      reconcile: async (namespace) => {
        const ns = namespaces.get(namespace);
        if (!ns || ns.metadata.deletionTimestamp) return undefined;
        if (serviceAccounts.get(`${namespace}/default`)) return undefined;
        try {
          await client.create(R.serviceaccounts, namespace, {
            apiVersion: "v1",
            kind: "ServiceAccount",
            metadata: { name: "default" },
          });
        } catch (error) {
          const benign =
            error instanceof StatusError &&
            (error.reason === "AlreadyExists" || error.reason === "Forbidden" || error.reason === "NotFound");
          if (!benign) throw error;
        }
        return undefined;
      },
    });
    this.#controller.watches(namespaces, (ns) => [ns.metadata.name ?? ""]);
    this.#controller.watches(serviceAccounts, (sa) =>
      sa.metadata.name === "default" ? [sa.metadata.namespace ?? ""] : [],
    );
  }

  start(): void {}

  stop(): void {
    this.#controller.stop();
  }
}
