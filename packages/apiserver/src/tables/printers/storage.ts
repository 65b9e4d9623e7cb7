import { AGE, column, NAME, wide } from "../columns.ts";
import { timeSince } from "../human-duration.ts";
import type { ObjectMeta } from "../kube-types.ts";
import type { Printer } from "../table.ts";

type PersistentVolume = {
  metadata?: ObjectMeta;
  spec?: {
    capacity?: Record<string, string>;
    accessModes?: string[];
    persistentVolumeReclaimPolicy?: string;
    claimRef?: { namespace?: string; name?: string };
    storageClassName?: string;
    volumeAttributesClassName?: string;
    volumeMode?: string;
  };
  status?: { phase?: string; reason?: string };
};
type PersistentVolumeClaim = {
  metadata?: ObjectMeta;
  spec?: {
    volumeName?: string;
    storageClassName?: string;
    volumeAttributesClassName?: string;
    volumeMode?: string;
  };
  status?: { phase?: string; capacity?: Record<string, string>; accessModes?: string[] };
};
type StorageClass = {
  metadata?: ObjectMeta;
  provisioner?: string;
  reclaimPolicy?: string;
  volumeBindingMode?: string;
  allowVolumeExpansion?: boolean;
};

const BETA_STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class";
const DEFAULT_CLASS_ANNOTATIONS = [
  "storageclass.kubernetes.io/is-default-class",
  "storageclass.beta.kubernetes.io/is-default-class",
];
const ACCESS_MODES: [mode: string, short: string][] = [
  ["ReadWriteOnce", "RWO"],
  ["ReadOnlyMany", "ROX"],
  ["ReadWriteMany", "RWX"],
  ["ReadWriteOncePod", "RWOP"],
];

/** "RWO,RWX" in a fixed order, whatever the order or repetition in the object. */
function accessModes(modes: readonly string[] | undefined): string {
  return ACCESS_MODES.filter(([mode]) => modes?.includes(mode))
    .map(([, short]) => short)
    .join(",");
}

/** The class from the legacy beta annotation, else from spec. */
function storageClassOf(metadata: ObjectMeta | undefined, fromSpec: string | undefined): string {
  return metadata?.annotations?.[BETA_STORAGE_CLASS_ANNOTATION] ?? fromSpec ?? "";
}

/** A zero quantity prints as "0". Quantities are shown as stored. */
const quantity = (value: string | undefined): string => value ?? "0";

/** PersistentVolumes: Name, Capacity, Access Modes, Reclaim Policy, Status, Claim, StorageClass, VolumeAttributesClass, Reason, Age; wide VolumeMode. */
export const persistentVolumePrinter: Printer = {
  columns: [
    NAME,
    column("Capacity", "string", "The storage capacity of the volume."),
    column("Access Modes", "string", "The ways the volume can be mounted."),
    column("Reclaim Policy", "string", "What happens to the volume when released from its claim."),
    column("Status", "string", "The phase of the volume."),
    column("Claim", "string", "The claim bound to this volume."),
    column("StorageClass", "string", "StorageClass of the pv"),
    column("VolumeAttributesClass", "string", "VolumeAttributesClass of the pv"),
    column("Reason", "string", "A brief CamelCase string that describes any failure."),
    AGE,
    wide("VolumeMode", "Whether the volume is used with a formatted filesystem or as a raw block device."),
  ],
  print(obj, { now }) {
    const pv = obj as PersistentVolume;
    const spec = pv.spec ?? {};
    const claim = spec.claimRef ? `${spec.claimRef.namespace ?? ""}/${spec.claimRef.name ?? ""}` : "";
    return {
      cells: [
        pv.metadata?.name ?? "",
        quantity(spec.capacity?.storage),
        accessModes(spec.accessModes),
        spec.persistentVolumeReclaimPolicy ?? "",
        pv.metadata?.deletionTimestamp ? "Terminating" : (pv.status?.phase ?? ""),
        claim,
        storageClassOf(pv.metadata, spec.storageClassName),
        spec.volumeAttributesClassName ?? "<unset>",
        pv.status?.reason ?? "",
        timeSince(pv.metadata?.creationTimestamp, now),
        spec.volumeMode ?? "<unset>",
      ],
    };
  },
};

/** PersistentVolumeClaims: Name, Status, Volume, Capacity, Access Modes, StorageClass, VolumeAttributesClass, Age; wide VolumeMode. */
export const persistentVolumeClaimPrinter: Printer = {
  columns: [
    NAME,
    column("Status", "string", "The phase of the claim."),
    column("Volume", "string", "The volume bound to this claim."),
    column("Capacity", "string", "The actual resources of the underlying volume."),
    column("Access Modes", "string", "The access modes the underlying volume has."),
    column("StorageClass", "string", "StorageClass of the pvc"),
    column("VolumeAttributesClass", "string", "VolumeAttributesClass of the pvc"),
    AGE,
    wide("VolumeMode", "Whether the claim wants a formatted filesystem or a raw block device."),
  ],
  print(obj, { now }) {
    const pvc = obj as PersistentVolumeClaim;
    const spec = pvc.spec ?? {};
    const bound = Boolean(spec.volumeName);
    return {
      cells: [
        pvc.metadata?.name ?? "",
        pvc.metadata?.deletionTimestamp ? "Terminating" : (pvc.status?.phase ?? ""),
        spec.volumeName ?? "",
        bound ? quantity(pvc.status?.capacity?.storage) : "",
        bound ? accessModes(pvc.status?.accessModes) : "",
        storageClassOf(pvc.metadata, spec.storageClassName),
        spec.volumeAttributesClassName ?? "<unset>",
        timeSince(pvc.metadata?.creationTimestamp, now),
        spec.volumeMode ?? "<unset>",
      ],
    };
  },
};

/** StorageClasses: Name (with " (default)"), Provisioner, ReclaimPolicy, VolumeBindingMode, AllowVolumeExpansion, Age. */
export const storageClassPrinter: Printer = {
  columns: [
    NAME,
    column("Provisioner", "string", "The provisioner of this storage class."),
    column("ReclaimPolicy", "string", "The reclaim policy of volumes this class provisions."),
    column("VolumeBindingMode", "string", "When volumes are provisioned and bound."),
    column("AllowVolumeExpansion", "string", "Whether volumes of this class can be expanded."),
    AGE,
  ],
  print(obj, { now }) {
    const sc = obj as StorageClass;
    const annotations = sc.metadata?.annotations ?? {};
    const isDefault = DEFAULT_CLASS_ANNOTATIONS.some((key) => annotations[key] === "true");
    return {
      cells: [
        `${sc.metadata?.name ?? ""}${isDefault ? " (default)" : ""}`,
        sc.provisioner ?? "",
        sc.reclaimPolicy ?? "Delete",
        sc.volumeBindingMode ?? "Immediate",
        sc.allowVolumeExpansion === true,
        timeSince(sc.metadata?.creationTimestamp, now),
      ],
    };
  },
};
