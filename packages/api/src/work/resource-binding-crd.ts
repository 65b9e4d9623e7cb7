import type { KubeObject } from "@atoll/kube";
import {
  boolean,
  conditionColumn,
  conditions,
  customResourceDefinition,
  entry,
  int32,
  int64,
  list,
  object,
  oneOf,
  type PrinterColumn,
  rawObject,
  resourceList,
  string,
  timestamp,
} from "../policy/crd-schema.ts";
import {
  conflictResolution,
  failover,
  placement,
  preserveResourcesOnDeletion,
  propagateDeps,
} from "../policy/placement-schema.ts";
import { BindingConditions, CLUSTER_RESOURCE_BINDINGS, RESOURCE_BINDINGS } from "./resource-binding.ts";

/** A member object's health as Atoll judges it from its status. */
export const health = oneOf(["Healthy", "Unhealthy", "Unknown"], "The object's health in the member.");

const resource = object(
  "The resource template at the hub this binding places.",
  {
    apiVersion: string("The template's apiVersion."),
    kind: string("The template's kind."),
    namespace: string("The template's namespace; absent for cluster-scoped templates."),
    name: string("The template's name."),
    uid: string("The template's uid, so a re-created template is not mistaken for the old one."),
    resourceVersion: string("The template's resourceVersion the binding was last updated from."),
  },
  { required: ["apiVersion", "kind", "name"] },
);

const gracefulEvictionTasks = list(
  "Members being left: the copy in each stays until the replacement elsewhere is healthy or the grace " +
    "period ends, so capacity never drops to zero during failover.",
  entry(
    {
      fromCluster: string("The member being left."),
      replicas: int32("How many replicas are leaving, for kinds with replicas.", { minimum: 0 }),
      reason: string("Why, in CamelCase (e.g. TaintUntolerated, ApplicationFailure).", {
        minLength: 1,
        maxLength: 32,
        pattern: "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$",
      }),
      message: string("Details for humans.", { maxLength: 1024 }),
      producer: string("The controller that started the eviction."),
      gracePeriodSeconds: int32("The longest the old copy stays; the failover default when unset.", {
        minimum: 1,
      }),
      suppressDeletion: boolean("Keep the old copy until someone clears this or removes the task."),
      creationTimestamp: timestamp("When the task was created, by the server's clock."),
    },
    {
      required: ["fromCluster", "reason", "producer"],
      "x-kubernetes-validations": [
        {
          rule: "!(has(self.gracePeriodSeconds) && has(self.suppressDeletion) && self.suppressDeletion)",
          message: "gracePeriodSeconds and suppressDeletion are mutually exclusive",
        },
      ],
    },
  ),
  { mapKeys: ["fromCluster"] },
);

const bindingSpec = object(
  "The resource template, the placement copied from its policy, and the scheduler's decision.",
  {
    resource,
    replicas: int32("The template's spec.replicas; 0 for kinds without replicas.", { minimum: 0 }),
    replicaRequirements: object("What each replica needs, for capacity-aware placement.", {
      resourceRequest: resourceList("The resources one replica requests, summed over its containers."),
    }),
    clusters: list(
      "The scheduling result: the chosen members and each one's replicas.",
      entry(
        {
          name: string("The MemberCluster name."),
          replicas: int32("The replicas it runs.", { minimum: 0 }),
        },
        { required: ["name"] },
      ),
      { mapKeys: ["name"] },
    ),
    placement: placement("The placement of the policy that claimed the template."),
    conflictResolution,
    propagateDeps,
    preserveResourcesOnDeletion,
    gracefulEvictionTasks,
    failover,
  },
  { required: ["resource"] },
);

const bindingStatus = object("How scheduling went and the resource's state in every member.", {
  schedulerObservedGeneration: int64(
    "The metadata.generation the scheduler last decided for; less than generation means a decision is pending.",
  ),
  schedulerObservedAffinityName: string("The clusterAffinities group the current members were chosen from."),
  lastScheduledTime: timestamp("When the scheduler last decided successfully."),
  conditions: conditions(
    "Scheduled (reasons Success, NoClusterFit, SchedulerError; when False the message says, per member, " +
      "why it was rejected) and FullyApplied.",
  ),
  aggregatedStatus: list(
    "The resource in each member.",
    entry(
      {
        clusterName: string("The MemberCluster name."),
        status: rawObject("The member object's status, as is."),
        applied: boolean("Whether the object was applied in the member."),
        appliedMessage: string("Why applying failed, when it did."),
        health,
      },
      { required: ["clusterName"] },
    ),
    { mapKeys: ["clusterName"] },
  ),
});

const columns: PrinterColumn[] = [
  conditionColumn(BindingConditions.Scheduled),
  conditionColumn(BindingConditions.FullyApplied),
  { name: "Kind", type: "string", jsonPath: ".spec.resource.kind", priority: 1 },
  { name: "Resource", type: "string", jsonPath: ".spec.resource.name", priority: 1 },
  { name: "Replicas", type: "integer", jsonPath: ".spec.replicas", priority: 1 },
];

/** The CRD of ResourceBinding (namespaced, short name rb), with a status subresource. */
export function resourceBindingCrd(): KubeObject {
  return customResourceDefinition(RESOURCE_BINDINGS, {
    shortNames: ["rb"],
    description:
      "Binds a namespaced resource template to the policy that claimed it: where it is scheduled, with how " +
      "many replicas per member, and its state in each member.",
    spec: bindingSpec,
    status: bindingStatus,
    columns,
  });
}

/** The CRD of ClusterResourceBinding (cluster-scoped, short name crb), for cluster-scoped templates. */
export function clusterResourceBindingCrd(): KubeObject {
  return customResourceDefinition(CLUSTER_RESOURCE_BINDINGS, {
    shortNames: ["crb"],
    description:
      "Binds a cluster-scoped resource template to the ClusterPropagationPolicy that claimed it: where it is " +
      "scheduled and its state in each member.",
    spec: bindingSpec,
    status: bindingStatus,
    columns,
  });
}
