import type { KubeObject } from "@atoll/kube";
import {
  boolean,
  conditions,
  entry,
  int32,
  int64,
  list,
  object,
  oneOf,
  rawObject,
  type Schema,
  type SchemaRule,
  string,
  timestamp,
} from "../policy/crd-schema.ts";
import { resourceRequirements } from "./cluster-crd.ts";
import { column, kubeBlocksCrd } from "./kubeblocks-crd.ts";
import { KUBEBLOCKS_CATEGORY } from "./kubeblocks-names.ts";
import { OPS_REQUESTS, OpsPhases, OpsTypes } from "./ops-request.ts";

const KEEP_UNKNOWN = { "x-kubernetes-preserve-unknown-fields": true } as const;
const immutable = (field: string): SchemaRule => ({
  rule: "self == oldSelf",
  message: `${field} is immutable`,
});

const componentName = string("The component (componentSpecs[].name) to operate on.", { minLength: 1 });

function perComponent(description: string, fields: Record<string, Schema>, required: string[] = []): Schema {
  return list(
    description,
    entry({ componentName, ...fields }, { required: ["componentName", ...required], ...KEEP_UNKNOWN }),
    { mapKeys: ["componentName"] },
  );
}

/** Each type needs its own list; Stop and Start act on the whole Cluster. */
const typeNeedsList: Array<[string, string]> = [
  [OpsTypes.Restart, "restart"],
  [OpsTypes.HorizontalScaling, "horizontalScaling"],
  [OpsTypes.VerticalScaling, "verticalScaling"],
  [OpsTypes.Switchover, "switchover"],
];

const opsRequestSpec = object(
  "The operation. Fields of KubeBlocks' OpsRequest not listed here are accepted and kept.",
  {
    clusterName: string("The Cluster to operate on, in this namespace.", {
      minLength: 1,
      "x-kubernetes-validations": [immutable("clusterName")],
    }),
    clusterRef: string(
      "The Cluster, as KubeBlocks named it before 0.9; clusterName wins when both are set.",
      {
        "x-kubernetes-validations": [immutable("clusterRef")],
      },
    ),
    type: oneOf(
      Object.values(OpsTypes),
      "The operation; its list (restart, horizontalScaling…) says on what.",
      {
        "x-kubernetes-validations": [immutable("type")],
      },
    ),
    cancel: boolean("Cancel a HorizontalScaling or VerticalScaling in progress."),
    force: boolean("Run without waiting for the Cluster to be Running."),
    ttlSecondsAfterSucceed: int32("Delete the OpsRequest this long after it succeeds.", { minimum: 0 }),
    restart: perComponent("The components to restart, one replica at a time.", {}),
    horizontalScaling: perComponent("The components to scale and their new replica counts.", {
      replicas: int32("The new replica count.", { minimum: 0 }),
      scaleOut: rawObject("KubeBlocks 0.9's relative scale-out, kept, not read."),
      scaleIn: rawObject("KubeBlocks 0.9's relative scale-in, kept, not read."),
    }),
    verticalScaling: perComponent("The components to resize; requests and limits sit beside componentName.", {
      requests: resourceRequirements.properties?.requests ?? {},
      limits: resourceRequirements.properties?.limits ?? {},
    }),
    switchover: perComponent(
      "The components whose leadership to move.",
      { instanceName: string('The pod to make leader, or "*" for any other replica.', { minLength: 1 }) },
      ["instanceName"],
    ),
  },
  {
    required: ["type"],
    ...KEEP_UNKNOWN,
    "x-kubernetes-validations": [
      {
        rule: "has(self.clusterName) || has(self.clusterRef)",
        message: "clusterName is required",
        fieldPath: ".clusterName",
      },
      ...typeNeedsList.map(([type, field]) => ({
        rule: `self.type != '${type}' || (has(self.${field}) && size(self.${field}) > 0)`,
        message: `a ${type} OpsRequest needs ${field}`,
        fieldPath: `.${field}`,
      })),
    ],
  },
);

const opsRequestStatus = object(
  "How far the operation got.",
  {
    clusterGeneration: int64("The Cluster's metadata.generation once the operation was applied to it."),
    phase: oneOf(
      Object.values(OpsPhases),
      "Pending, Creating, Running, Cancelling, Cancelled, Aborted, Failed or Succeed.",
    ),
    progress: string('Objects done over objects to do, "n/m"; "-/-" before it is known.', {
      pattern: "^(\\d+|-)/(\\d+|-)$",
      default: "-/-",
    }),
    components: {
      type: "object",
      description: "The status of each component operated on, by name.",
      additionalProperties: object(
        "One component.",
        {
          phase: string("The component's phase, as in the Cluster's status."),
          reason: string("Why it is in that phase."),
          message: string("Details."),
        },
        KEEP_UNKNOWN,
      ),
    },
    startTimestamp: timestamp("When processing started."),
    completionTimestamp: timestamp("When it finished."),
    cancelTimestamp: timestamp("When it was cancelled."),
    conditions: conditions("Conditions of the operation."),
  },
  KEEP_UNKNOWN,
);

/** The CRD of KubeBlocks' OpsRequest (namespaced, short name ops, categories kubeblocks and all). */
export function opsRequestCrd(): KubeObject {
  return kubeBlocksCrd(OPS_REQUESTS, {
    shortNames: ["ops"],
    categories: [KUBEBLOCKS_CATEGORY, "all"],
    description:
      "A one-off operation on a Cluster (KubeBlocks apps.kubeblocks.io/v1alpha1 OpsRequest): Restart, " +
      "HorizontalScaling, VerticalScaling, Switchover, Stop or Start.",
    spec: opsRequestSpec,
    status: opsRequestStatus,
    columns: [
      column("TYPE", ".spec.type", "The operation."),
      column("CLUSTER", ".spec.clusterName", "The Cluster operated on."),
      column("STATUS", ".status.phase", "The phase of the operation."),
      column("PROGRESS", ".status.progress", "Objects done over objects to do."),
    ],
  });
}
