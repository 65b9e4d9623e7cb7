import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { KubeObject } from "../../api/object.ts";
import { builtinDefaulter } from "./index.ts";

function defaulted(plural: string, body: Record<string, unknown>): KubeObject {
  const object: KubeObject = { apiVersion: "v1", metadata: { name: "x" }, ...body };
  builtinDefaulter({ group: "", plural })?.(object);
  return object;
}

describe("core/v1 defaults", () => {
  test("Secret: type Opaque unless given", () => {
    assert.equal(defaulted("secrets", { data: { a: "Yg==" } }).type, "Opaque");
    assert.equal(defaulted("secrets", { type: "kubernetes.io/tls" }).type, "kubernetes.io/tls");
  });

  test("Endpoints: subset ports are TCP unless given", () => {
    const endpoints = defaulted("endpoints", {
      subsets: [{ addresses: [{ ip: "10.0.0.1" }], ports: [{ port: 80 }, { port: 53, protocol: "UDP" }] }],
    });
    assert.deepEqual(endpoints.subsets, [
      {
        addresses: [{ ip: "10.0.0.1" }],
        ports: [
          { port: 80, protocol: "TCP" },
          { port: 53, protocol: "UDP" },
        ],
      },
    ]);
  });

  test("Node: allocatable defaults to capacity", () => {
    const capacity = { cpu: "4", memory: "8Gi", pods: "110" };
    assert.deepEqual(defaulted("nodes", { status: { capacity } }).status, {
      capacity,
      allocatable: capacity,
    });
    const allocatable = { cpu: "3800m", memory: "7Gi", pods: "110" };
    assert.deepEqual(defaulted("nodes", { status: { capacity, allocatable } }).status, {
      capacity,
      allocatable,
    });
    assert.deepEqual(defaulted("nodes", { spec: {} }), {
      apiVersion: "v1",
      metadata: { name: "x" },
      spec: {},
    });
  });

  test("PersistentVolume", () => {
    const pv = defaulted("persistentvolumes", {
      spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], hostPath: { path: "/data" } },
    });
    assert.deepEqual(pv.spec, {
      capacity: { storage: "1Gi" },
      accessModes: ["ReadWriteOnce"],
      hostPath: { path: "/data", type: "" },
      persistentVolumeReclaimPolicy: "Retain",
      volumeMode: "Filesystem",
    });
    const rbd = defaulted("persistentvolumes", {
      spec: {
        persistentVolumeReclaimPolicy: "Delete",
        volumeMode: "Block",
        rbd: { monitors: ["m"], image: "i" },
      },
    });
    assert.deepEqual(rbd.spec, {
      persistentVolumeReclaimPolicy: "Delete",
      volumeMode: "Block",
      rbd: { monitors: ["m"], image: "i", pool: "rbd", user: "admin", keyring: "/etc/ceph/keyring" },
    });
  });

  test("PersistentVolumeClaim: volumeMode Filesystem, status left to the strategy", () => {
    const spec = { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } };
    const pvc = defaulted("persistentvolumeclaims", { spec: structuredClone(spec) });
    assert.deepEqual(pvc.spec, { ...spec, volumeMode: "Filesystem" });
    assert.equal(pvc.status, undefined);
    const block = defaulted("persistentvolumeclaims", { spec: { ...spec, volumeMode: "Block" } });
    assert.equal((block.spec as Record<string, unknown>).volumeMode, "Block");
  });
});
