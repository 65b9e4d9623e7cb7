import { memberClusterDefinition } from "../crd/member-cluster.fixture.ts";
import { resourceTypesFromDefinition } from "../crd/resource-types.ts";
import { ALL_VERBS, type ResourceType } from "../resources/resource-type.ts";
import type { Shape, ShapeResolver } from "../schema/shape.ts";

/**
 * A small built-in world for tests: Deployments and ConfigMaps with named,
 * shared and recursive shapes, referring to ObjectMeta by its short name as
 * a built-in table might. Plus the MemberCluster CRD's resource.
 */
const NAMED: Record<string, Shape> = {
  "io.k8s.api.apps.v1.DeploymentSpec": {
    type: "struct",
    description: "DeploymentSpec is the specification of the desired behavior of the Deployment.",
    required: ["selector", "template"],
    fields: {
      replicas: { type: "scalar", scalar: "integer", description: "Number of desired pods." },
      selector: { type: "ref", name: "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector" },
      template: {
        type: "ref",
        name: "io.k8s.api.core.v1.PodTemplateSpec",
        description: "Template describes the pods.",
      },
      strategy: {
        type: "struct",
        fields: {
          type: { type: "scalar", scalar: "string", enum: ["Recreate", "RollingUpdate"] },
          rollingUpdate: {
            type: "struct",
            fields: { maxSurge: { type: "scalar", scalar: "int-or-string" } },
          },
        },
      },
    },
  },
  "io.k8s.api.core.v1.PodTemplateSpec": {
    type: "struct",
    fields: {
      metadata: { type: "ref", name: "ObjectMeta" },
      spec: { type: "ref", name: "io.k8s.api.core.v1.PodSpec" },
    },
  },
  "io.k8s.api.core.v1.PodSpec": {
    type: "struct",
    required: ["containers"],
    fields: {
      containers: {
        type: "list",
        listType: "map",
        keys: ["name"],
        items: { type: "ref", name: "io.k8s.api.core.v1.Container" },
        description: "List of containers belonging to the pod.",
      },
    },
  },
  "io.k8s.api.core.v1.Container": {
    type: "struct",
    required: ["name"],
    fields: {
      name: { type: "scalar", scalar: "string" },
      image: { type: "scalar", scalar: "string" },
      resources: {
        type: "struct",
        fields: { limits: { type: "map", values: { type: "scalar", scalar: "quantity" } } },
      },
      args: { type: "list", listType: "atomic", items: { type: "scalar", scalar: "string" } },
    },
  },
  "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector": {
    type: "struct",
    atomic: true,
    fields: {
      matchLabels: { type: "map", values: { type: "scalar", scalar: "string" } },
      and: {
        type: "list",
        listType: "atomic",
        items: { type: "ref", name: "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector" },
      },
    },
  },
};

export const resolver: ShapeResolver = {
  resolve(name) {
    const shape = NAMED[name];
    if (!shape) throw new Error(`unknown shape ${name}`);
    return shape;
  },
};

export const deployments: ResourceType = {
  group: "apps",
  version: "v1",
  kind: "Deployment",
  listKind: "DeploymentList",
  plural: "deployments",
  singular: "deployment",
  shortNames: ["deploy"],
  categories: ["all"],
  namespaced: true,
  verbs: ALL_VERBS,
  subresources: {
    status: true,
    scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" },
  },
  shape: {
    type: "struct",
    description: "Deployment enables declarative updates for Pods and ReplicaSets.",
    fields: {
      metadata: { type: "ref", name: "ObjectMeta" },
      spec: { type: "ref", name: "io.k8s.api.apps.v1.DeploymentSpec" },
      status: { type: "struct", fields: { replicas: { type: "scalar", scalar: "integer" } } },
    },
  },
};

export const configMaps: ResourceType = {
  group: "",
  version: "v1",
  kind: "ConfigMap",
  listKind: "ConfigMapList",
  plural: "configmaps",
  singular: "configmap",
  shortNames: ["cm"],
  categories: [],
  namespaced: true,
  verbs: ALL_VERBS,
  subresources: {},
  shape: {
    type: "struct",
    fields: {
      data: { type: "map", values: { type: "scalar", scalar: "string" } },
      immutable: { type: "scalar", scalar: "boolean" },
    },
  },
};

export function memberClusters(): ResourceType {
  const [type] = resourceTypesFromDefinition(memberClusterDefinition());
  return type;
}
