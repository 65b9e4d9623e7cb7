import type { KubeObject } from "@atoll/kube";
import { CLUSTER_GROUP, CLUSTER_VERSION } from "./member-cluster.ts";

const string = { type: "string" } as const;
const conditions = {
  type: "array",
  "x-kubernetes-list-type": "map",
  "x-kubernetes-list-map-keys": ["type"],
  items: {
    type: "object",
    required: ["type", "status"],
    properties: {
      type: string,
      status: { type: "string", enum: ["True", "False", "Unknown"] },
      reason: string,
      message: string,
      lastTransitionTime: { type: "string", format: "date-time" },
      observedGeneration: { type: "integer", format: "int64" },
    },
  },
} as const;
const resourceList = { type: "object", properties: { cpu: string, memory: string, pods: string } } as const;

/** The CustomResourceDefinition of MemberCluster, which the hub controllers install at start. */
export function memberClusterCrd(): KubeObject {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `memberclusters.${CLUSTER_GROUP}` },
    spec: {
      group: CLUSTER_GROUP,
      scope: "Cluster",
      names: {
        plural: "memberclusters",
        singular: "membercluster",
        kind: "MemberCluster",
        shortNames: ["mc", "member", "members"],
        categories: ["atoll"],
      },
      versions: [
        {
          name: CLUSTER_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
            { name: "Version", type: "string", jsonPath: ".status.kubernetesVersion" },
            { name: "Nodes", type: "integer", jsonPath: ".status.nodeSummary.readyNum" },
            { name: "Region", type: "string", jsonPath: ".spec.region", priority: 1 },
            { name: "Zone", type: "string", jsonPath: ".spec.zone", priority: 1 },
            { name: "Unschedulable", type: "boolean", jsonPath: ".spec.unschedulable" },
            { name: "Disabled", type: "boolean", jsonPath: ".spec.disabled" },
            { name: "Endpoint", type: "string", jsonPath: ".status.apiEndpoint", priority: 1 },
            { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
          ],
          schema: {
            openAPIV3Schema: {
              type: "object",
              description:
                "A member cluster of the fleet: how the hub reaches it, where it is, and whether it takes work.",
              properties: {
                spec: {
                  type: "object",
                  required: ["kubeconfig"],
                  properties: {
                    kubeconfig: {
                      type: "object",
                      description:
                        "The Secret (type kubernetes.kubeconfig) holding the member's kubeconfig, and the context to use.",
                      required: ["secretRef"],
                      properties: {
                        secretRef: {
                          type: "object",
                          required: ["namespace", "name"],
                          properties: { namespace: string, name: string },
                        },
                        key: { type: "string", default: "kubeconfig" },
                        context: {
                          type: "string",
                          description: "The context to use; default the kubeconfig's current context.",
                        },
                      },
                    },
                    region: string,
                    zone: string,
                    provider: string,
                    taints: {
                      type: "array",
                      items: {
                        type: "object",
                        required: ["key", "effect"],
                        properties: {
                          key: string,
                          value: string,
                          effect: { type: "string", enum: ["NoSchedule", "PreferNoSchedule", "NoExecute"] },
                          timeAdded: { type: "string", format: "date-time" },
                        },
                      },
                    },
                    unschedulable: {
                      type: "boolean",
                      description: "Cordoned: nothing new is placed on the member.",
                    },
                    disabled: {
                      type: "boolean",
                      description: "Stop every write to the member; its objects show their last known state.",
                    },
                  },
                },
                status: {
                  type: "object",
                  properties: {
                    conditions,
                    apiEndpoint: string,
                    kubernetesVersion: string,
                    apiEnablements: {
                      type: "array",
                      items: {
                        type: "object",
                        properties: {
                          groupVersion: string,
                          resources: {
                            type: "array",
                            items: { type: "object", properties: { name: string, kind: string } },
                          },
                        },
                      },
                    },
                    nodeSummary: {
                      type: "object",
                      properties: { totalNum: { type: "integer" }, readyNum: { type: "integer" } },
                    },
                    resourceSummary: {
                      type: "object",
                      properties: { allocatable: resourceList, allocated: resourceList },
                    },
                    probe: {
                      type: "object",
                      properties: {
                        latencyMs: { type: "number" },
                        lastProbeTime: { type: "string", format: "date-time" },
                        lastSuccessTime: { type: "string", format: "date-time" },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
}
