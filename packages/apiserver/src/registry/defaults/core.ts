import type { KubeObject } from "../../api/object.ts";
import { child, ensureChild, items, setIfUnset, setIfZero } from "./json-fields.ts";
import { defaultClaimSpec, defaultPersistentVolumeSources } from "./volumes.ts";

/** A Secret without a type is `Opaque`. */
export function defaultSecret(secret: KubeObject): void {
  setIfZero(secret, "type", "Opaque");
}

/** Endpoints: every subset port's `protocol` is `TCP` unless given. */
export function defaultEndpoints(endpoints: KubeObject): void {
  for (const subset of items(endpoints, "subsets")) {
    for (const port of items(subset, "ports")) setIfZero(port, "protocol", "TCP");
  }
}

/** A Node reporting capacity but no allocatable resources can allocate all of its capacity. */
export function defaultNode(node: KubeObject): void {
  const status = child(node, "status");
  const capacity = child(status, "capacity");
  if (status && capacity && Object.keys(capacity).length > 0)
    setIfUnset(status, "allocatable", { ...capacity });
}

/**
 * A PersistentVolume: `persistentVolumeReclaimPolicy: Retain`, `volumeMode:
 * Filesystem` and its source's defaults. `status.phase` is the strategy's.
 */
export function defaultPersistentVolume(volume: KubeObject): void {
  const spec = ensureChild(volume, "spec");
  if (!spec) return;
  setIfZero(spec, "persistentVolumeReclaimPolicy", "Retain");
  setIfUnset(spec, "volumeMode", "Filesystem");
  defaultPersistentVolumeSources(spec);
}

/** A PersistentVolumeClaim: `volumeMode: Filesystem`. `status.phase` is the strategy's. */
export function defaultPersistentVolumeClaim(claim: KubeObject): void {
  defaultClaimSpec(ensureChild(claim, "spec"));
}
