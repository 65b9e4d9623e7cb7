import type { StatusCause } from "../api/errors.ts";
import type { NameRule } from "../api/names.ts";
import type { KubeObject } from "../api/object.ts";

/**
 * What differs between kinds in the generic create/update/delete flow, as
 * kube-apiserver's per-kind REST strategies do. Every hook is optional.
 */
export type Strategy = {
  nameRule?: NameRule;
  /** Whether create drops a client-sent status (default true for kinds with a status subresource; Nodes keep theirs). */
  resetStatusOnCreate?: boolean;
  /** Fills server-set fields and defaults on create (e.g. a Pod's status.phase). */
  prepareForCreate?(object: KubeObject, now: Date): void;
  /** Adjusts an update of the main resource (old is the stored state). */
  prepareForUpdate?(object: KubeObject, old: KubeObject): void;
  /** Kind-specific validation; causes name fields like `spec.containers[0].name`. */
  validate?(object: KubeObject, old: KubeObject | undefined): StatusCause[];
  /** Grace period used when a DELETE gives none; 0 deletes at once. */
  defaultGracePeriodSeconds?(object: KubeObject): number;
  /** Return the deleted object (true) or a Status (false) from DELETE, as the kind does in Kubernetes. */
  returnDeletedObject?: boolean;
  /** Besides metadata.finalizers, anything else that holds deletion (a Namespace's spec.finalizers). */
  pendingFinalization?(object: KubeObject): boolean;
  /** Called when an object is marked for deletion (e.g. Namespace phase → Terminating). */
  prepareForDeletion?(object: KubeObject): void;
};
