import { cloneJson } from "@atoll/kube";
import type { KubeObject } from "../api/object.ts";
import type { ResourceType } from "../resources/resource-type.ts";
import { StorageError } from "../storage/store.ts";
import type { Registry, WriteOptions, WriteResult } from "./registry.ts";

/**
 * Read-modify-write of one object for in-process controllers: `change` edits a
 * copy of the current object (returning false for "nothing to do"); concurrent
 * writes are retried.
 */
export async function mutateObject(
  registry: Registry,
  target: { type: ResourceType; namespace: string | undefined; name: string },
  change: (object: KubeObject) => boolean,
  options: WriteOptions = {},
): Promise<WriteResult | undefined> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const current = registry.find(target.type, target.namespace, target.name);
    if (!current) return undefined;
    const next = cloneJson(current.object);
    if (!change(next)) return undefined;
    try {
      return await registry.replace(target.type, current, next, {
        fieldManager: "atoll-apiserver",
        ...options,
      });
    } catch (error) {
      if (error instanceof StorageError && (error.code === "Conflict" || error.code === "KeyNotFound"))
        continue;
      throw error;
    }
  }
  throw new Error(
    `could not update ${target.type.plural} ${target.namespace ?? ""}/${target.name}: too many conflicts`,
  );
}
