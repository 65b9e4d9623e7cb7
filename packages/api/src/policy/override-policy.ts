import type { KubeObject, ResourceId } from "@atoll/kube";
import {
  type ClusterAffinity,
  POLICY_GROUP,
  POLICY_VERSION,
  type ResourceSelector,
} from "./propagation-policy.ts";

export const OVERRIDE_POLICIES: ResourceId = {
  group: POLICY_GROUP,
  version: POLICY_VERSION,
  resource: "overridepolicies",
  kind: "OverridePolicy",
  namespaced: true,
};

export const CLUSTER_OVERRIDE_POLICIES: ResourceId = {
  group: POLICY_GROUP,
  version: POLICY_VERSION,
  resource: "clusteroverridepolicies",
  kind: "ClusterOverridePolicy",
  namespaced: false,
};

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type OverrideOperator = "add" | "remove" | "replace";

/**
 * Changes one part of container images, read as `[registry/]repository[:tag|@digest]`.
 * Without a predicate, the containers (and init containers) of Pods and pod
 * templates; with one, only the image at `predicate.path` (a JSON pointer).
 */
export type ImageOverrider = {
  predicate?: { path: string };
  component: "Registry" | "Repository" | "Tag";
  operator: OverrideOperator;
  /** Required unless the operator is remove. */
  value?: string;
};

/** Appends to (add) or deletes items from (remove) one container's command or args. */
export type CommandArgsOverrider = {
  containerName: string;
  operator: "add" | "remove";
  value?: string[];
};

/** Adds, removes or replaces metadata.labels or metadata.annotations entries. */
export type LabelAnnotationOverrider = {
  operator: OverrideOperator;
  value?: Record<string, string>;
};

/** A JSON-patch operation at `path` (a JSON pointer); `value` is ignored for remove. */
export type PlaintextOverrider = {
  path: string;
  operator: OverrideOperator;
  value?: JsonValue;
};

/**
 * Overriders of one rule, applied in this fixed order whatever their order in
 * the object: image, command, args, labels, annotations, plaintext.
 */
export type Overriders = {
  imageOverrider?: ImageOverrider[];
  commandOverrider?: CommandArgsOverrider[];
  argsOverrider?: CommandArgsOverrider[];
  labelsOverrider?: LabelAnnotationOverrider[];
  annotationsOverrider?: LabelAnnotationOverrider[];
  plaintext?: PlaintextOverrider[];
};

/** Overriders for the members in `targetCluster` (every member, when absent). */
export type OverrideRule = { targetCluster?: ClusterAffinity; overriders: Overriders };

export type OverrideSpec = {
  /** Which templates the rules change; absent means every template in scope. */
  resourceSelectors?: ResourceSelector[];
  /** Applied in list order; a later rule sees the result of earlier ones. */
  overrideRules?: OverrideRule[];
};

export type OverridePolicy = KubeObject & { spec: OverrideSpec };
export type ClusterOverridePolicy = KubeObject & { spec: OverrideSpec };

/** The order overriders run in within one rule. */
export const OVERRIDER_ORDER = [
  "imageOverrider",
  "commandOverrider",
  "argsOverrider",
  "labelsOverrider",
  "annotationsOverrider",
  "plaintext",
] as const satisfies ReadonlyArray<keyof Overriders>;
