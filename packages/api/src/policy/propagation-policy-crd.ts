import type { KubeObject } from "@atoll/kube";
import { customResourceDefinition, int32, object, oneOf, type PrinterColumn } from "./crd-schema.ts";
import {
  conflictResolution,
  failover,
  placement,
  preserveResourcesOnDeletion,
  propagateDeps,
  resourceSelectors,
} from "./placement-schema.ts";
import { CLUSTER_PROPAGATION_POLICIES, PROPAGATION_POLICIES } from "./propagation-policy.ts";

const propagationSpec = object(
  "Which resource templates to propagate, where, and how.",
  {
    resourceSelectors: resourceSelectors(
      "The resource templates this policy propagates. At least one: an empty list does not mean " +
        "everything, so that Secrets are never propagated by accident.",
      { minItems: 1 },
    ),
    placement: placement("Where the selected resources go and how their replicas are placed."),
    priority: int32(
      "When several policies select a template, the highest priority wins; on a tie, the more precise " +
        "selector (name over labels over kind), then the lexically first policy name.",
      { default: 0 },
    ),
    preemption: oneOf(
      ["Always", "Never"],
      "Always: take over templates already claimed by lower-priority policies. Never: a claimed template " +
        "stays with its policy.",
      { default: "Never" },
    ),
    propagateDeps,
    conflictResolution,
    preserveResourcesOnDeletion,
    failover,
  },
  { required: ["resourceSelectors"] },
);

const columns: PrinterColumn[] = [
  { name: "Conflict-Resolution", type: "string", jsonPath: ".spec.conflictResolution" },
  { name: "Priority", type: "integer", jsonPath: ".spec.priority" },
];

/** The CRD of PropagationPolicy (namespaced, short name pp): it propagates templates in its own namespace. */
export function propagationPolicyCrd(): KubeObject {
  return customResourceDefinition(PROPAGATION_POLICIES, {
    shortNames: ["pp"],
    description:
      "Propagates resource templates of its namespace to member clusters: which templates, which members, " +
      "and how replicas are divided.",
    spec: propagationSpec,
    columns,
  });
}

/** The CRD of ClusterPropagationPolicy (cluster-scoped, short name cpp): cluster-scoped templates and any namespace. */
export function clusterPropagationPolicyCrd(): KubeObject {
  return customResourceDefinition(CLUSTER_PROPAGATION_POLICIES, {
    shortNames: ["cpp"],
    description:
      "Propagates cluster-scoped resource templates, and templates in any namespace except Atoll's own, " +
      "to member clusters. A PropagationPolicy selecting the same template wins over it, whatever the priorities.",
    spec: propagationSpec,
    columns,
  });
}
