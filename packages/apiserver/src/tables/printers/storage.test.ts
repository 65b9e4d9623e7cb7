import assert from "node:assert/strict";
import { test } from "node:test";
import { persistentVolumeClaimPrinter, persistentVolumePrinter, storageClassPrinter } from "./storage.ts";

const now = new Date("2024-05-01T12:00:00Z");
const metadata = { name: "data-db-0", namespace: "shop", creationTimestamp: "2024-04-30T12:00:00Z" };

test("persistentvolumeclaims: bound and pending", () => {
  assert.deepEqual(
    persistentVolumeClaimPrinter.columns.map((c) => (c.priority ? `${c.name}*` : c.name)),
    [
      "Name",
      "Status",
      "Volume",
      "Capacity",
      "Access Modes",
      "StorageClass",
      "VolumeAttributesClass",
      "Age",
      "VolumeMode*",
    ],
  );
  const bound = {
    metadata,
    spec: {
      volumeName: "pvc-0a1b",
      storageClassName: "standard",
      volumeMode: "Filesystem",
      resources: { requests: { storage: "1Gi" } },
    },
    status: {
      phase: "Bound",
      capacity: { storage: "10Gi" },
      accessModes: ["ReadWriteMany", "ReadWriteOnce", "ReadWriteOnce"],
    },
  };
  assert.deepEqual(persistentVolumeClaimPrinter.print(bound, { now }).cells, [
    "data-db-0",
    "Bound",
    "pvc-0a1b",
    "10Gi",
    "RWO,RWX",
    "standard",
    "<unset>",
    "24h",
    "Filesystem",
  ]);
  const pending = {
    metadata: { ...metadata, annotations: { "volume.beta.kubernetes.io/storage-class": "legacy" } },
    spec: { storageClassName: "standard" },
    status: { phase: "Pending" },
  };
  assert.deepEqual(persistentVolumeClaimPrinter.print(pending, { now }).cells, [
    "data-db-0",
    "Pending",
    "",
    "",
    "",
    "legacy",
    "<unset>",
    "24h",
    "<unset>",
  ]);
});

test("persistentvolumes", () => {
  const pv = {
    metadata: {
      name: "pvc-0a1b",
      creationTimestamp: "2024-04-30T12:00:00Z",
      deletionTimestamp: "2024-05-01T11:00:00Z",
    },
    spec: {
      capacity: { storage: "10Gi" },
      accessModes: ["ReadWriteOncePod"],
      persistentVolumeReclaimPolicy: "Delete",
      claimRef: { namespace: "shop", name: "data-db-0" },
      storageClassName: "standard",
      volumeAttributesClassName: "gold",
      volumeMode: "Block",
    },
    status: { phase: "Bound" },
  };
  assert.deepEqual(persistentVolumePrinter.print(pv, { now }).cells, [
    "pvc-0a1b",
    "10Gi",
    "RWOP",
    "Delete",
    "Terminating",
    "shop/data-db-0",
    "standard",
    "gold",
    "",
    "24h",
    "Block",
  ]);
  const bare = persistentVolumePrinter.print(
    { metadata: { name: "x" }, spec: {}, status: { phase: "Available" } },
    { now },
  );
  assert.deepEqual(bare.cells, [
    "x",
    "0",
    "",
    "",
    "Available",
    "",
    "",
    "<unset>",
    "",
    "<unknown>",
    "<unset>",
  ]);
});

test("storageclasses", () => {
  const sc = {
    metadata: {
      name: "standard",
      creationTimestamp: "2024-04-30T12:00:00Z",
      annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
    },
    provisioner: "rancher.io/local-path",
    reclaimPolicy: "Delete",
    volumeBindingMode: "WaitForFirstConsumer",
  };
  assert.deepEqual(storageClassPrinter.print(sc, { now }).cells, [
    "standard (default)",
    "rancher.io/local-path",
    "Delete",
    "WaitForFirstConsumer",
    false,
    "24h",
  ]);
  const plain = { metadata: { name: "fast" }, provisioner: "csi.example.com", allowVolumeExpansion: true };
  assert.deepEqual(storageClassPrinter.print(plain, { now }).cells, [
    "fast",
    "csi.example.com",
    "Delete",
    "Immediate",
    true,
    "<unknown>",
  ]);
});
