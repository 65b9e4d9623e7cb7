import {
  boolean,
  entry,
  int32,
  int64,
  list,
  object,
  oneOf,
  type Schema,
  string,
  stringMap,
  stringSet,
} from "./crd-schema.ts";

/** Schemas shared by the policies and the bindings that copy their placement. */

export const labelSelector = (description: string): Schema =>
  object(description, {
    matchLabels: stringMap("Labels that must all be present with these values."),
    matchExpressions: list(
      "Requirements that must all hold.",
      entry(
        {
          key: string("The label key."),
          operator: oneOf(["In", "NotIn", "Exists", "DoesNotExist"], "How the key relates to the values."),
          values: list("Values for In and NotIn; empty for Exists and DoesNotExist.", { type: "string" }),
        },
        { required: ["key", "operator"] },
      ),
    ),
  });

const fieldSelector = object("Selects members by the provider, region and zone in their spec.", {
  matchExpressions: list(
    "Requirements that must all hold.",
    entry(
      {
        key: oneOf(["provider", "region", "zone"], "The MemberCluster spec field."),
        operator: oneOf(["In", "NotIn"], "How the field relates to the values."),
        values: list("The values to compare the field with.", { type: "string" }),
      },
      { required: ["key", "operator", "values"] },
    ),
  ),
});

const clusterAffinityFields: Record<string, Schema> = {
  clusterNames: stringSet("Members chosen by name; absent means every member."),
  exclude: stringSet("Members never chosen, whatever else matches."),
  labelSelector: labelSelector("Only members whose labels match."),
  fieldSelector,
};

/** A set of members: named (or all), matching both selectors, minus the excluded. */
export const clusterAffinity = (description: string): Schema => object(description, clusterAffinityFields);

const clusterAffinities = list(
  "Ordered groups of members. The scheduler tries each in turn and uses the first in which the " +
    "resource fits, so later groups are fall-backs (a backup data center, a cloud provider). " +
    "Cannot be used with clusterAffinity.",
  entry(
    {
      affinityName: string(
        "The group's name, reported in status.schedulerObservedAffinityName of bindings.",
        {
          minLength: 1,
          maxLength: 32,
        },
      ),
      ...clusterAffinityFields,
    },
    { required: ["affinityName"] },
  ),
  { mapKeys: ["affinityName"] },
);

const clusterTolerations = list(
  "Taints on members (MemberCluster spec.taints) that the resource tolerates. A member with a NoSchedule " +
    "taint takes nothing new unless tolerated; with a NoExecute taint, what is there is moved away.",
  entry(
    {
      key: string("The taint key; empty with operator Exists tolerates every taint."),
      operator: oneOf(["Equal", "Exists"], "Equal compares value; Exists matches any value.", {
        default: "Equal",
      }),
      value: string("The taint value, for Equal."),
      effect: oneOf(["NoSchedule", "PreferNoSchedule", "NoExecute"], "The taint effect; empty matches all."),
      tolerationSeconds: int64(
        "For NoExecute: how long the resource stays on a member after the taint appears; " +
          "absent means forever.",
      ),
    },
    {
      "x-kubernetes-validations": [
        {
          rule: "!has(self.operator) || self.operator != 'Exists' || !has(self.value) || self.value == ''",
          message: "value must be empty when operator is Exists",
        },
      ],
    },
  ),
);

const spreadConstraints = list(
  "How many groups of members the resource must spread over.",
  entry(
    {
      spreadByField: oneOf(
        ["cluster", "region", "zone", "provider"],
        "Group members by this MemberCluster field (cluster, the default: each member is a group).",
      ),
      spreadByLabel: string("Group members by the value of this label key."),
      maxGroups: int32("At most this many groups.", { minimum: 0 }),
      minGroups: int32("At least this many groups, or scheduling fails; 1 when unset.", { minimum: 0 }),
    },
    {
      "x-kubernetes-validations": [
        {
          rule: "!(has(self.spreadByField) && has(self.spreadByLabel))",
          message: "spreadByField and spreadByLabel are mutually exclusive",
        },
        {
          rule: "!has(self.maxGroups) || !has(self.minGroups) || self.maxGroups == 0 || self.minGroups <= self.maxGroups",
          message: "minGroups must not exceed maxGroups",
        },
      ],
    },
  ),
);

const replicaScheduling = object(
  "How the spec.replicas of workloads (Deployments, StatefulSets, Jobs…) are placed. Without it, every " +
    "chosen member runs spec.replicas (Duplicated).",
  {
    replicaSchedulingType: oneOf(
      ["Duplicated", "Divided"],
      "Duplicated: every chosen member runs spec.replicas. Divided: the replicas are split between them.",
      { default: "Divided" },
    ),
    replicaDivisionPreference: oneOf(
      ["Aggregated", "Weighted"],
      "For Divided. Aggregated: as few members as have room. Weighted (when unset): in proportion to " +
        "weightPreference.",
    ),
    weightPreference: object("Weights for Weighted division; without it every member weighs the same.", {
      staticWeightList: list(
        "Fixed weights for sets of members.",
        entry(
          {
            targetCluster: clusterAffinity("The members this weight applies to."),
            weight: int64("The relative weight.", { minimum: 1 }),
          },
          { required: ["targetCluster", "weight"] },
        ),
      ),
      dynamicWeight: oneOf(
        ["AvailableReplicas"],
        "Weigh members by how many more replicas they can run; overrides staticWeightList.",
      ),
    }),
  },
);

export const placement = (description: string): Schema =>
  object(
    description,
    {
      clusterAffinity: clusterAffinity(
        "The members the resource may go to; without it (and clusterAffinities), every member.",
      ),
      clusterAffinities,
      clusterTolerations,
      spreadConstraints,
      replicaScheduling,
    },
    {
      "x-kubernetes-validations": [
        {
          rule: "!(has(self.clusterAffinity) && has(self.clusterAffinities))",
          message: "clusterAffinity and clusterAffinities are mutually exclusive",
        },
      ],
    },
  );

export const resourceSelectors = (description: string, extras: { minItems?: number } = {}): Schema =>
  list(
    description,
    entry(
      {
        apiVersion: string("The templates' apiVersion, e.g. apps/v1."),
        kind: string("The templates' kind, e.g. Deployment."),
        namespace: string("The templates' namespace; for namespaced policies, the policy's own."),
        name: string("One template by name; absent selects all (or those matching labelSelector)."),
        labelSelector: labelSelector("Templates whose labels match; ignored when name is set."),
      },
      { required: ["apiVersion", "kind"] },
    ),
    extras,
  );

export const conflictResolution = oneOf(
  ["Abort", "Overwrite"],
  "When the object already exists in a member and Atoll did not create it: Abort leaves it and reports " +
    "the conflict; Overwrite takes it over.",
  { default: "Abort" },
);

export const propagateDeps = boolean(
  "Also propagate the ConfigMaps, Secrets, ServiceAccounts and PersistentVolumeClaims the workload " +
    "references, to the same members, and move them with it on failover.",
);

export const preserveResourcesOnDeletion = boolean(
  "Leave the propagated objects in members when the resource template is deleted.",
);

export const failover = object("Failover of the application; off when absent.", {
  application: object(
    "Moves the application away from a member where it stays unhealthy.",
    {
      decisionConditions: object("When to fail over.", {
        tolerationSeconds: int32("How long the application must be unhealthy before it moves.", {
          minimum: 0,
          default: 300,
        }),
      }),
      purgeMode: oneOf(
        ["Immediately", "Graciously", "Never"],
        "What happens to the old copy. Immediately: removed at once (no two instances ever run). " +
          "Graciously: removed once the new copy is healthy or gracePeriodSeconds pass. Never: left for the user.",
        { default: "Graciously" },
      ),
      gracePeriodSeconds: int32("With Graciously: the longest the old copy stays; 600 when unset.", {
        minimum: 1,
      }),
    },
    { required: ["decisionConditions"] },
  ),
});
