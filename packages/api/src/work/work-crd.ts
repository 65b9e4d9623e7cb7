import type { KubeObject } from "@atoll/kube";
import {
  boolean,
  conditionColumn,
  conditions,
  customResourceDefinition,
  entry,
  int32,
  list,
  object,
  rawObject,
  string,
} from "../policy/crd-schema.ts";
import { conflictResolution, preserveResourcesOnDeletion } from "../policy/placement-schema.ts";
import { health } from "./resource-binding-crd.ts";
import { WORKS, WorkConditions } from "./work.ts";

const workSpec = object(
  "The objects to apply in one member cluster, already rendered for it.",
  {
    workload: object("What to apply.", {
      manifests: list(
        "Complete Kubernetes objects (apiVersion, kind, metadata, …), applied in order.",
        rawObject("One object, kept as sent."),
      ),
    }),
    suspendDispatching: boolean("Stop applying to the member; what is already there is left as it is."),
    preserveResourcesOnDeletion,
    conflictResolution,
  },
  { required: ["workload"] },
);

const workStatus = object("Whether the manifests were applied, and their state in the member.", {
  conditions: conditions(
    "Applied (every manifest applied) and Available (every manifest exists in the member).",
  ),
  manifestStatuses: list(
    "The state of each manifest in the member.",
    entry(
      {
        identifier: object(
          "Which manifest: its index in spec.workload.manifests, and the object it names.",
          {
            ordinal: int32("The index in spec.workload.manifests.", { minimum: 0 }),
            group: string("The API group; empty for the core group."),
            version: string("The API version."),
            kind: string("The kind."),
            resource: string("The plural resource name."),
            namespace: string("The namespace; empty for cluster-scoped objects."),
            name: string("The name."),
          },
          { required: ["ordinal", "version", "kind", "resource", "name"] },
        ),
        status: rawObject("The member object's status, as is."),
        health,
      },
      { required: ["identifier"] },
    ),
  ),
});

/**
 * The CRD of Work (namespaced, short name work), with a status subresource.
 * One Work per binding and member, in the member's execution namespace `atoll-es-<member>`.
 */
export function workCrd(): KubeObject {
  return customResourceDefinition(WORKS, {
    shortNames: ["work"],
    description:
      "The objects to apply in one member cluster, rendered from a resource template with its overrides. " +
      "Lives in the member's execution namespace, atoll-es-<member>.",
    spec: workSpec,
    status: workStatus,
    columns: [conditionColumn(WorkConditions.Applied), conditionColumn(WorkConditions.Available)],
  });
}
