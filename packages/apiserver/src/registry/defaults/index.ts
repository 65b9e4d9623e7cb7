import type { KubeObject } from "../../api/object.ts";
import { defaultDaemonSet, defaultDeployment, defaultReplicaSet, defaultStatefulSet } from "./apps.ts";
import { defaultJob } from "./batch.ts";
import {
  defaultEndpoints,
  defaultNode,
  defaultPersistentVolume,
  defaultPersistentVolumeClaim,
  defaultSecret,
} from "./core.ts";
import { defaultEndpointSlice } from "./discovery.ts";
import { defaultPod } from "./pod-spec.ts";
import { defaultBinding } from "./rbac.ts";
import { defaultService } from "./service.ts";
import { defaultStorageClass } from "./storage.ts";

/** Fills the defaults of one kind into an object, in place. */
export type Defaulter = (object: KubeObject) => void;

/** By `group/plural`; the served kinds missing here have no defaults. */
const DEFAULTERS: Readonly<Record<string, Defaulter>> = {
  "/pods": defaultPod,
  "/services": defaultService,
  "/secrets": defaultSecret,
  "/endpoints": defaultEndpoints,
  "/nodes": defaultNode,
  "/persistentvolumes": defaultPersistentVolume,
  "/persistentvolumeclaims": defaultPersistentVolumeClaim,
  "apps/deployments": defaultDeployment,
  "apps/replicasets": defaultReplicaSet,
  "apps/statefulsets": defaultStatefulSet,
  "apps/daemonsets": defaultDaemonSet,
  "batch/jobs": defaultJob,
  "rbac.authorization.k8s.io/rolebindings": defaultBinding,
  "rbac.authorization.k8s.io/clusterrolebindings": defaultBinding,
  "discovery.k8s.io/endpointslices": defaultEndpointSlice,
  "storage.k8s.io/storageclasses": defaultStorageClass,
};

/**
 * The defaulting kube-apiserver applies to a built-in kind's objects as it
 * decodes them (the `SetDefaults_*` functions of Kubernetes 1.32 and the
 * generated defaulters that recurse into nested types, e.g. every workload's
 * pod template), or undefined for a kind with none (ConfigMap, Namespace,
 * ServiceAccount, Event, roles, Lease…) and for any other resource.
 *
 * The returned function mutates the object in place, never replaces a value
 * the client set except where Kubernetes itself does (a zero probe timing or
 * an empty string is "unset" to Go; `sessionAffinity: None` drops
 * `sessionAffinityConfig`), and is idempotent. It does not do what admission
 * plugins, allocators or strategies do (service account, tolerations,
 * priority, cluster IPs, node ports, job selectors, status phases).
 */
export function builtinDefaulter(type: { group: string; plural: string }): Defaulter | undefined {
  return DEFAULTERS[`${type.group}/${type.plural}`];
}
