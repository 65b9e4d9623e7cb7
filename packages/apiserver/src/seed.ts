import { StatusError } from "./api/errors.ts";
import type { Registry } from "./registry/registry.ts";
import type { ResourceCatalog } from "./resources/catalog.ts";

/** Namespaces every Kubernetes cluster has. */
export const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"] as const;

/** Creates what a fresh cluster has (idempotent: existing objects are left alone). */
export async function seedDefaults(registry: Registry, catalog: ResourceCatalog): Promise<void> {
  const namespaces = catalog.find("", "v1", "namespaces");
  if (!namespaces) return;
  for (const name of SYSTEM_NAMESPACES) {
    if (registry.find(namespaces, undefined, name)) continue;
    try {
      await registry.create(
        namespaces,
        undefined,
        { metadata: { name } },
        { fieldManager: "atoll-apiserver" },
      );
    } catch (error) {
      if (!(error instanceof StatusError && error.reason === "AlreadyExists")) throw error;
    }
  }
}
