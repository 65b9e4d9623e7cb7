import type { KubeObject } from "../../api/object.ts";
import { setIfUnset } from "./json-fields.ts";

/** A StorageClass: `reclaimPolicy: Delete` and `volumeBindingMode: Immediate` unless given. */
export function defaultStorageClass(storageClass: KubeObject): void {
  setIfUnset(storageClass, "reclaimPolicy", "Delete");
  setIfUnset(storageClass, "volumeBindingMode", "Immediate");
}
