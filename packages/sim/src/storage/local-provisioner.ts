import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Informer, KubeClient, KubeObject, ReconcileResult, Runnable } from "@atoll/kube";
import { Controller, isRecord, R, StatusError, splitKey } from "@atoll/kube";
import type { EventRecorder } from "../events/recorder.ts";

export const DEFAULT_STORAGE_CLASS = "standard";
export const LOCAL_PROVISIONER = "atoll.io/local-path";
const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";

export type LocalProvisionerOptions = {
  client: KubeClient;
  claims: Informer;
  volumes: Informer;
  storageClasses: Informer;
  recorder: EventRecorder;
  /** Volumes are directories under here: `<root>/<pv-name>`. */
  root: string;
  onError?: (controller: string, key: string, error: unknown) => void;
};

/**
 * A default StorageClass and its local provisioner, with the PV controller's
 * binding: a claim of the class gets a hostPath PV backed by a directory,
 * bound both ways as Kubernetes does; when the claim goes, the PV is deleted
 * with its data (reclaim Delete) or kept Released (Retain).
 */
export class LocalProvisioner implements Runnable {
  #options: LocalProvisionerOptions;
  #claims: Controller;
  #volumes: Controller;

  constructor(options: LocalProvisionerOptions) {
    this.#options = options;
    this.#claims = new Controller({
      name: "persistentvolume-binder",
      reconcile: (key) => this.#reconcileClaim(key),
      onError: options.onError,
    });
    this.#claims.watches(options.claims);
    this.#volumes = new Controller({
      name: "persistentvolume-reclaimer",
      reconcile: (key) => this.#reconcileVolume(key),
      onError: options.onError,
    });
    this.#volumes.watches(options.volumes);
    this.#volumes.watches(options.claims, (claim) => {
      const volume = volumeNameOf(claim);
      return volume ? [volume] : [];
    });
  }

  async start(): Promise<void> {
    await mkdir(this.#options.root, { recursive: true });
    const existing = await this.#options.client.get(R.storageclasses, undefined, DEFAULT_STORAGE_CLASS);
    if (existing) return;
    try {
      await this.#options.client.create(R.storageclasses, undefined, {
        apiVersion: "storage.k8s.io/v1",
        kind: "StorageClass",
        metadata: { name: DEFAULT_STORAGE_CLASS, annotations: { [DEFAULT_CLASS_ANNOTATION]: "true" } },
        provisioner: LOCAL_PROVISIONER,
        reclaimPolicy: "Delete",
        volumeBindingMode: "Immediate",
      });
    } catch (error) {
      if (!(error instanceof StatusError && error.reason === "AlreadyExists")) throw error;
    }
  }

  stop(): void {
    this.#claims.stop();
    this.#volumes.stop();
  }

  async #reconcileClaim(key: string): Promise<ReconcileResult> {
    const claim = this.#options.claims.get(key);
    if (!claim || claim.metadata.deletionTimestamp) return undefined;
    const spec = isRecord(claim.spec) ? claim.spec : {};
    const { namespace, name } = splitKey(key);
    const { client } = this.#options;
    if (!spec.storageClassName) {
      const fallback = this.#defaultClass();
      if (fallback)
        await client.patch(R.persistentvolumeclaims, namespace, name, "merge", {
          spec: { storageClassName: fallback },
        });
      return undefined;
    }
    if (spec.volumeName) return this.#markBound(claim, String(spec.volumeName));
    const storageClass = this.#options.storageClasses.get(String(spec.storageClassName));
    if (!storageClass || storageClass.provisioner !== LOCAL_PROVISIONER) return undefined;
    const volume = await this.#provision(claim, storageClass);
    await client.patch(R.persistentvolumeclaims, namespace, name, "merge", {
      metadata: {
        annotations: {
          "pv.kubernetes.io/bind-completed": "yes",
          "pv.kubernetes.io/bound-by-controller": "yes",
          "volume.kubernetes.io/storage-provisioner": LOCAL_PROVISIONER,
        },
      },
      spec: { volumeName: volume },
    });
    this.#options.recorder.event(
      claim,
      "Normal",
      "ProvisioningSucceeded",
      `Successfully provisioned volume ${volume}`,
    );
    return undefined;
  }

  async #provision(claim: KubeObject, storageClass: KubeObject): Promise<string> {
    const volume = `pvc-${claim.metadata.uid}`;
    if (this.#options.volumes.get(volume)) return volume;
    const path = join(this.#options.root, volume);
    await mkdir(path, { recursive: true });
    const spec = isRecord(claim.spec) ? claim.spec : {};
    const requests =
      isRecord(spec.resources) && isRecord(spec.resources.requests) ? spec.resources.requests : {};
    try {
      await this.#options.client.create(R.persistentvolumes, undefined, {
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: { name: volume, annotations: { "pv.kubernetes.io/provisioned-by": LOCAL_PROVISIONER } },
        spec: {
          capacity: { storage: requests.storage ?? "1Gi" },
          accessModes: spec.accessModes ?? ["ReadWriteOnce"],
          hostPath: { path, type: "DirectoryOrCreate" },
          claimRef: {
            apiVersion: "v1",
            kind: "PersistentVolumeClaim",
            namespace: claim.metadata.namespace,
            name: claim.metadata.name,
            uid: claim.metadata.uid,
          },
          persistentVolumeReclaimPolicy: storageClass.reclaimPolicy ?? "Delete",
          storageClassName: storageClass.metadata.name,
          volumeMode: spec.volumeMode ?? "Filesystem",
        },
      });
    } catch (error) {
      if (!(error instanceof StatusError && error.reason === "AlreadyExists")) throw error;
    }
    return volume;
  }

  async #markBound(claim: KubeObject, volume: string): Promise<ReconcileResult> {
    const pv = this.#options.volumes.get(volume);
    if (!pv) return { requeueAfterMs: 100 };
    const status = isRecord(claim.status) ? claim.status : {};
    const pvSpec = isRecord(pv.spec) ? pv.spec : {};
    if (status.phase !== "Bound") {
      await this.#options.client.patch(
        R.persistentvolumeclaims,
        claim.metadata.namespace,
        claim.metadata.name ?? "",
        "merge",
        { status: { phase: "Bound", accessModes: pvSpec.accessModes, capacity: pvSpec.capacity } },
        { subresource: "status" },
      );
    }
    const pvStatus = isRecord(pv.status) ? pv.status : {};
    if (pvStatus.phase !== "Bound") {
      await this.#options.client.patch(
        R.persistentvolumes,
        undefined,
        volume,
        "merge",
        { status: { phase: "Bound" } },
        { subresource: "status" },
      );
    }
    return undefined;
  }

  async #reconcileVolume(name: string): Promise<ReconcileResult> {
    const pv = this.#options.volumes.get(name);
    if (!pv) return undefined;
    const spec = isRecord(pv.spec) ? pv.spec : {};
    const claimRef = isRecord(spec.claimRef) ? spec.claimRef : undefined;
    const status = isRecord(pv.status) ? pv.status : {};
    if (!claimRef) {
      if (status.phase !== "Available") {
        await this.#options.client.patch(
          R.persistentvolumes,
          undefined,
          name,
          "merge",
          { status: { phase: "Available" } },
          { subresource: "status" },
        );
      }
      return undefined;
    }
    const claim = this.#options.claims.get(`${claimRef.namespace}/${claimRef.name}`);
    if (claim && claim.metadata.uid === claimRef.uid) return undefined;
    // The claim is gone: reclaim.
    if (spec.persistentVolumeReclaimPolicy === "Delete") {
      try {
        await this.#options.client.delete(R.persistentvolumes, undefined, name);
      } catch (error) {
        if (!(error instanceof StatusError && error.reason === "NotFound")) throw error;
      }
      const path = isRecord(spec.hostPath) ? String(spec.hostPath.path) : "";
      if (path.startsWith(this.#options.root)) await rm(path, { recursive: true, force: true });
      return undefined;
    }
    if (status.phase !== "Released") {
      await this.#options.client.patch(
        R.persistentvolumes,
        undefined,
        name,
        "merge",
        { status: { phase: "Released" } },
        { subresource: "status" },
      );
    }
    return undefined;
  }

  #defaultClass(): string | undefined {
    const classes = this.#options.storageClasses.list();
    return classes.find((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === "true")?.metadata.name;
  }
}

function volumeNameOf(claim: KubeObject): string | undefined {
  const spec = isRecord(claim.spec) ? claim.spec : {};
  return typeof spec.volumeName === "string" ? spec.volumeName : undefined;
}
