import type { CustomResourceDefinition, JSONSchemaProps } from "./definition.ts";

/** A realistic CRD for tests: Atoll's MemberCluster, with most schema features in use. */
export function memberClusterSchema(): JSONSchemaProps {
  return {
    type: "object",
    description: "MemberCluster is a cluster joined to Atoll.",
    properties: {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: { type: "object", properties: { name: { type: "string", maxLength: 20 } } },
      spec: {
        type: "object",
        description: "Desired state.",
        required: ["endpoint"],
        "x-kubernetes-validations": [
          { rule: "self.minReplicas <= self.replicas", message: "replicas must be at least minReplicas" },
        ],
        properties: {
          endpoint: { type: "string", pattern: "^https://", description: "API server URL." },
          replicas: { type: "integer", format: "int32", minimum: 0, maximum: 10, default: 1 },
          minReplicas: { type: "integer", default: 0 },
          region: { type: "string", enum: ["eu", "us"] },
          weight: { type: "number", exclusiveMinimum: true, minimum: 0 },
          port: { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] },
          joinedAt: { type: "string", format: "date-time" },
          labels: { type: "object", additionalProperties: { type: "string" }, maxProperties: 3 },
          taints: {
            type: "array",
            maxItems: 4,
            "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["key"],
            items: {
              type: "object",
              required: ["key"],
              properties: {
                key: { type: "string", minLength: 1 },
                effect: { type: "string", default: "NoSchedule" },
              },
            },
          },
          zones: { type: "array", "x-kubernetes-list-type": "set", items: { type: "string" } },
          settings: {
            type: "object",
            "x-kubernetes-preserve-unknown-fields": true,
            properties: { mode: { type: "string" } },
          },
          template: {
            type: "object",
            "x-kubernetes-embedded-resource": true,
            "x-kubernetes-preserve-unknown-fields": true,
          },
          immutableId: {
            type: "string",
            "x-kubernetes-validations": [{ rule: "self == oldSelf", message: "immutableId is immutable" }],
          },
        },
      },
      status: {
        type: "object",
        properties: { phase: { type: "string" }, nodes: { type: "integer", nullable: true } },
      },
    },
  };
}

export function memberClusterDefinition(): CustomResourceDefinition {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "memberclusters.cluster.atoll.io" },
    spec: {
      group: "cluster.atoll.io",
      scope: "Cluster",
      names: {
        plural: "memberclusters",
        singular: "membercluster",
        kind: "MemberCluster",
        listKind: "MemberClusterList",
        shortNames: ["mc"],
        categories: ["atoll"],
      },
      versions: [
        {
          name: "v1alpha1",
          served: true,
          storage: true,
          schema: { openAPIV3Schema: memberClusterSchema() },
          subresources: {
            status: {},
            scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.nodes" },
          },
          additionalPrinterColumns: [
            { name: "Region", type: "string", jsonPath: ".spec.region" },
            { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
          ],
        },
      ],
      conversion: { strategy: "None" },
    },
  };
}
