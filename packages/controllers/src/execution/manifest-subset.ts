import { isRecord } from "@atoll/kube";

/**
 * Whether `live` still says everything `manifest` says: objects recursively
 * (extra live fields — defaults, status, fields other managers own — are
 * fine), arrays element by element with equal length, scalars equal. This is
 * the drift test: only when it fails does the member object need another
 * apply, so status updates alone cause no writes.
 */
export function containsManifest(live: unknown, manifest: unknown): boolean {
  if (isRecord(manifest)) {
    if (!isRecord(live)) return false;
    for (const [key, value] of Object.entries(manifest)) {
      if (value === undefined) continue;
      // A null in an applied manifest asks for the field to be absent.
      if (value === null) {
        if (live[key] !== undefined && live[key] !== null) return false;
        continue;
      }
      if (!containsManifest(live[key], value)) return false;
    }
    return true;
  }
  if (Array.isArray(manifest)) {
    if (!Array.isArray(live) || live.length !== manifest.length) return false;
    return manifest.every((item, i) => containsManifest(live[i], item));
  }
  return live === manifest;
}

/**
 * The part of `live` that `manifest` speaks about: `live` cut to the
 * manifest's shape (keys of objects, elements of equal-length arrays).
 * When the member normalises what it was sent (a quantity rewritten, a
 * list element another manager added), the projection of the apply result is
 * what later reads are compared with instead of the manifest itself.
 */
export function projectOnto(live: unknown, manifest: unknown): unknown {
  if (isRecord(manifest) && isRecord(live)) {
    const projected: Record<string, unknown> = {};
    for (const key of Object.keys(manifest)) {
      if (manifest[key] === undefined) continue;
      projected[key] = live[key] === undefined ? null : projectOnto(live[key], manifest[key]);
    }
    return projected;
  }
  if (Array.isArray(manifest) && Array.isArray(live) && live.length === manifest.length) {
    return manifest.map((item, i) => projectOnto(live[i], item));
  }
  return live;
}
