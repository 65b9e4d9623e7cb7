import type { KubeObject, ResourceId } from "@atoll/kube";
import { SERVICE_EXPORTS } from "./service-export.ts";
import { SERVICE_IMPORTS } from "./service-import.ts";

/**
 * The MCS CRDs as sigs.k8s.io/mcs-api publishes them for v1alpha1: the same
 * names, scope, short names, fields, validation and printer columns, so
 * manifests and clients written for the upstream CRDs work unchanged. Written
 * out in full (defaults included) so what a server returns equals what was
 * applied, which is how the hub tells a member's copy has drifted.
 */

type Json = Record<string, unknown>;

const str = (description: string, extra: Json = {}): Json => ({ type: "string", description, ...extra });

/** metav1.Condition, as controller-gen renders it. */
const condition: Json = {
  type: "object",
  description: "One aspect of the current state of the object.",
  required: ["lastTransitionTime", "message", "reason", "status", "type"],
  properties: {
    lastTransitionTime: str("When the condition last changed status.", { format: "date-time" }),
    message: str("A human-readable explanation; may be empty.", { maxLength: 32768 }),
    observedGeneration: {
      type: "integer",
      format: "int64",
      minimum: 0,
      description: "The metadata.generation the condition was set for.",
    },
    reason: str("A CamelCase machine-readable reason; reasons may be combined with commas.", {
      maxLength: 1024,
      minLength: 1,
      pattern: "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$",
    }),
    status: str("True, False or Unknown.", { enum: ["True", "False", "Unknown"] }),
    type: str("The condition type, e.g. Valid, Ready, Conflict.", {
      maxLength: 316,
      pattern:
        "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$",
    }),
  },
};

const conditions: Json = {
  type: "array",
  description: "The conditions of the object, one per type.",
  items: condition,
  "x-kubernetes-list-type": "map",
  "x-kubernetes-list-map-keys": ["type"],
};

const servicePort: Json = {
  type: "object",
  description: "A port of the imported service.",
  required: ["port"],
  properties: {
    appProtocol: str("The application protocol of the port (a hint, as on a Service port)."),
    name: str("The port's name; must match the name of the ports in the imported EndpointSlices."),
    port: { type: "integer", format: "int32", description: "The port consumers connect to." },
    protocol: str('"TCP", "UDP" or "SCTP"; default TCP.'),
  },
};

const serviceExportSchema: Json = {
  type: "object",
  description:
    "ServiceExport declares that the Service with the same name and namespace as this export " +
    "should be consumable from the other clusters of the clusterset.",
  properties: {
    apiVersion: str("The versioned schema of this representation of an object."),
    kind: str("The REST resource this object represents."),
    metadata: { type: "object" },
    spec: {
      type: "object",
      description: "Extra information about the export.",
      properties: {
        exportedAnnotations: {
          type: "object",
          description: "Annotations to export (optional for implementations).",
          additionalProperties: { type: "string" },
        },
        exportedLabels: {
          type: "object",
          description: "Labels to export (optional for implementations).",
          additionalProperties: { type: "string" },
        },
      },
    },
    status: {
      type: "object",
      description:
        "The current state of the export, written by the multi-cluster services controller: " +
        "Valid, Ready and Conflict conditions.",
      properties: { conditions },
    },
  },
};

const serviceImportSchema: Json = {
  type: "object",
  description: "ServiceImport describes a service imported from the clusters of a clusterset.",
  properties: {
    apiVersion: str("The versioned schema of this representation of an object."),
    kind: str("The REST resource this object represents."),
    metadata: { type: "object" },
    spec: {
      type: "object",
      description: "The imported service and what is needed to consume it.",
      required: ["ports", "type"],
      properties: {
        ips: {
          type: "array",
          description: "The virtual IP of the service when its type is ClusterSetIP.",
          maxItems: 1,
          items: { type: "string" },
        },
        ports: {
          type: "array",
          description: "The ports of the service.",
          items: servicePort,
          "x-kubernetes-list-type": "atomic",
        },
        sessionAffinity: str('"ClientIP" or "None" (the default); ignored when the type is Headless.'),
        sessionAffinityConfig: {
          type: "object",
          description: "Session affinity configuration.",
          properties: {
            clientIP: {
              type: "object",
              description: "Client IP based session affinity.",
              properties: {
                timeoutSeconds: {
                  type: "integer",
                  format: "int32",
                  description: "How long a client sticks to an endpoint; 1–86400, default 10800.",
                },
              },
            },
          },
        },
        type: str("ClusterSetIP or Headless.", { enum: ["ClusterSetIP", "Headless"] }),
      },
    },
    status: {
      type: "object",
      description: "The exported services this import is derived from.",
      properties: {
        clusters: {
          type: "array",
          description: "The exporting clusters.",
          items: {
            type: "object",
            description: "One exporting cluster.",
            required: ["cluster"],
            properties: { cluster: str("The name of the exporting cluster.") },
          },
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["cluster"],
        },
        conditions,
      },
    },
  },
};

function crd(
  id: ResourceId,
  shortNames: string[],
  schema: Json,
  columns: Json[],
): KubeObject & { spec: Json } {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${id.resource}.${id.group}` },
    spec: {
      group: id.group,
      scope: "Namespaced",
      names: {
        plural: id.resource,
        singular: id.kind.toLowerCase(),
        kind: id.kind,
        listKind: `${id.kind}List`,
        shortNames,
      },
      versions: [
        {
          name: id.version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            ...columns,
            { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
          ],
          schema: { openAPIV3Schema: schema },
        },
      ],
      conversion: { strategy: "None" },
    },
  };
}

/** The ServiceExport CRD (namespaced, short name svcex, status subresource). */
export function serviceExportCrd(): KubeObject {
  return crd(SERVICE_EXPORTS, ["svcex"], serviceExportSchema, []);
}

/** The ServiceImport CRD (namespaced, short name svcim, status subresource; Type and IP columns). */
export function serviceImportCrd(): KubeObject {
  return crd(SERVICE_IMPORTS, ["svcim"], serviceImportSchema, [
    { name: "Type", type: "string", description: "The type of this ServiceImport", jsonPath: ".spec.type" },
    { name: "IP", type: "string", description: "The VIP for this ServiceImport", jsonPath: ".spec.ips" },
  ]);
}

/** Both MCS CRDs, fresh objects on each call: what every member (and the hub, for propagated exports) serves. */
export function mcsCrds(): KubeObject[] {
  return [serviceExportCrd(), serviceImportCrd()];
}
