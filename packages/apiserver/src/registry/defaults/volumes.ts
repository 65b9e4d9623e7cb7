import { child, items, type JsonObject, setIfUnset, setIfZero } from "./json-fields.ts";

/** Mode bits Kubernetes gives projected files when a volume sets none: 0644. */
const DEFAULT_FILE_MODE = 0o644;
/** Lifetime of a projected service account token when none is asked for: one hour. */
const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;

/** `spec.volumeMode` of a claim (or claim template) that sets none. */
export function defaultClaimSpec(spec: JsonObject | undefined): void {
  if (spec) setIfUnset(spec, "volumeMode", "Filesystem");
}

/** `fieldRef.apiVersion` of a downward API selector that sets none. */
export function defaultFieldRef(fieldRef: JsonObject | undefined): void {
  if (fieldRef) setIfZero(fieldRef, "apiVersion", "v1");
}

/**
 * A pod volume: `emptyDir: {}` when it names no source, then the defaults of
 * whichever source it has.
 */
export function defaultVolume(volume: JsonObject): void {
  const hasSource = Object.entries(volume).some(
    ([key, value]) => key !== "name" && value !== undefined && value !== null,
  );
  if (!hasSource) volume.emptyDir = {};
  defaultPersistentVolumeSources(volume);
  for (const key of ["secret", "configMap"]) {
    const source = child(volume, key);
    if (source) setIfUnset(source, "defaultMode", DEFAULT_FILE_MODE);
  }
  const downwardAPI = child(volume, "downwardAPI");
  if (downwardAPI) {
    setIfUnset(downwardAPI, "defaultMode", DEFAULT_FILE_MODE);
    for (const item of items(downwardAPI, "items")) defaultFieldRef(child(item, "fieldRef"));
  }
  const projected = child(volume, "projected");
  if (projected) {
    setIfUnset(projected, "defaultMode", DEFAULT_FILE_MODE);
    for (const source of items(projected, "sources")) {
      for (const item of items(child(source, "downwardAPI"), "items")) {
        defaultFieldRef(child(item, "fieldRef"));
      }
      const token = child(source, "serviceAccountToken");
      if (token) setIfUnset(token, "expirationSeconds", DEFAULT_TOKEN_EXPIRATION_SECONDS);
    }
  }
  const template = child(child(volume, "ephemeral"), "volumeClaimTemplate");
  defaultClaimSpec(child(template, "spec"));
}

/**
 * Defaults of the sources a persistent volume's spec shares with pod volumes:
 * hostPath, iscsi, rbd, azureDisk and scaleIO.
 */
export function defaultPersistentVolumeSources(holder: JsonObject): void {
  const hostPath = child(holder, "hostPath");
  // An empty type means "no check before mounting"; Kubernetes writes it out.
  if (hostPath) setIfUnset(hostPath, "type", "");
  const iscsi = child(holder, "iscsi");
  if (iscsi) setIfZero(iscsi, "iscsiInterface", "default");
  const rbd = child(holder, "rbd");
  if (rbd) {
    setIfZero(rbd, "pool", "rbd");
    setIfZero(rbd, "user", "admin");
    setIfZero(rbd, "keyring", "/etc/ceph/keyring");
  }
  const azureDisk = child(holder, "azureDisk");
  if (azureDisk) {
    setIfUnset(azureDisk, "cachingMode", "ReadWrite");
    setIfUnset(azureDisk, "fsType", "ext4");
    setIfUnset(azureDisk, "readOnly", false);
    setIfUnset(azureDisk, "kind", "Shared");
  }
  const scaleIO = child(holder, "scaleIO");
  if (scaleIO) {
    setIfZero(scaleIO, "storageMode", "ThinProvisioned");
    setIfZero(scaleIO, "fsType", "xfs");
  }
}
