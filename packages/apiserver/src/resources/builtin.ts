import { ALL_VERBS, type ResourceType, type ScaleSubresource } from "./resource-type.ts";

type Entry = {
  kind: string;
  plural: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  status?: boolean;
  scale?: boolean;
  verbs?: readonly string[];
  /** OpenAPI definition name of the kind's schema, e.g. io.k8s.api.core.v1.Pod. */
  definition: string;
};

const REPLICAS_SCALE: ScaleSubresource = {
  specReplicasPath: ".spec.replicas",
  statusReplicasPath: ".status.replicas",
  labelSelectorPath: ".status.selector",
};

const NO_DELETECOLLECTION = ALL_VERBS.filter((v) => v !== "deletecollection");

/** The built-in group versions and the resources each serves, in discovery order. */
const GROUPS: ReadonlyArray<{ group: string; version: string; resources: Entry[] }> = [
  {
    group: "",
    version: "v1",
    resources: [
      {
        kind: "ConfigMap",
        plural: "configmaps",
        namespaced: true,
        shortNames: ["cm"],
        definition: "io.k8s.api.core.v1.ConfigMap",
      },
      {
        kind: "Endpoints",
        plural: "endpoints",
        namespaced: true,
        shortNames: ["ep"],
        definition: "io.k8s.api.core.v1.Endpoints",
      },
      {
        kind: "Event",
        plural: "events",
        namespaced: true,
        shortNames: ["ev"],
        definition: "io.k8s.api.core.v1.Event",
      },
      {
        kind: "Namespace",
        plural: "namespaces",
        namespaced: false,
        shortNames: ["ns"],
        status: true,
        verbs: NO_DELETECOLLECTION,
        definition: "io.k8s.api.core.v1.Namespace",
      },
      {
        kind: "Node",
        plural: "nodes",
        namespaced: false,
        shortNames: ["no"],
        status: true,
        definition: "io.k8s.api.core.v1.Node",
      },
      {
        kind: "PersistentVolumeClaim",
        plural: "persistentvolumeclaims",
        namespaced: true,
        shortNames: ["pvc"],
        status: true,
        definition: "io.k8s.api.core.v1.PersistentVolumeClaim",
      },
      {
        kind: "PersistentVolume",
        plural: "persistentvolumes",
        namespaced: false,
        shortNames: ["pv"],
        status: true,
        definition: "io.k8s.api.core.v1.PersistentVolume",
      },
      {
        kind: "Pod",
        plural: "pods",
        namespaced: true,
        shortNames: ["po"],
        categories: ["all"],
        status: true,
        definition: "io.k8s.api.core.v1.Pod",
      },
      { kind: "Secret", plural: "secrets", namespaced: true, definition: "io.k8s.api.core.v1.Secret" },
      {
        kind: "ServiceAccount",
        plural: "serviceaccounts",
        namespaced: true,
        shortNames: ["sa"],
        definition: "io.k8s.api.core.v1.ServiceAccount",
      },
      {
        kind: "Service",
        plural: "services",
        namespaced: true,
        shortNames: ["svc"],
        categories: ["all"],
        status: true,
        definition: "io.k8s.api.core.v1.Service",
      },
    ],
  },
  {
    group: "apps",
    version: "v1",
    resources: [
      {
        kind: "DaemonSet",
        plural: "daemonsets",
        namespaced: true,
        shortNames: ["ds"],
        categories: ["all"],
        status: true,
        definition: "io.k8s.api.apps.v1.DaemonSet",
      },
      {
        kind: "Deployment",
        plural: "deployments",
        namespaced: true,
        shortNames: ["deploy"],
        categories: ["all"],
        status: true,
        scale: true,
        definition: "io.k8s.api.apps.v1.Deployment",
      },
      {
        kind: "ReplicaSet",
        plural: "replicasets",
        namespaced: true,
        shortNames: ["rs"],
        categories: ["all"],
        status: true,
        scale: true,
        definition: "io.k8s.api.apps.v1.ReplicaSet",
      },
      {
        kind: "StatefulSet",
        plural: "statefulsets",
        namespaced: true,
        shortNames: ["sts"],
        categories: ["all"],
        status: true,
        scale: true,
        definition: "io.k8s.api.apps.v1.StatefulSet",
      },
    ],
  },
  {
    group: "batch",
    version: "v1",
    resources: [
      {
        kind: "Job",
        plural: "jobs",
        namespaced: true,
        categories: ["all"],
        status: true,
        definition: "io.k8s.api.batch.v1.Job",
      },
    ],
  },
  {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    resources: [
      {
        kind: "ClusterRoleBinding",
        plural: "clusterrolebindings",
        namespaced: false,
        definition: "io.k8s.api.rbac.v1.ClusterRoleBinding",
      },
      {
        kind: "ClusterRole",
        plural: "clusterroles",
        namespaced: false,
        definition: "io.k8s.api.rbac.v1.ClusterRole",
      },
      {
        kind: "RoleBinding",
        plural: "rolebindings",
        namespaced: true,
        definition: "io.k8s.api.rbac.v1.RoleBinding",
      },
      { kind: "Role", plural: "roles", namespaced: true, definition: "io.k8s.api.rbac.v1.Role" },
    ],
  },
  {
    group: "coordination.k8s.io",
    version: "v1",
    resources: [
      { kind: "Lease", plural: "leases", namespaced: true, definition: "io.k8s.api.coordination.v1.Lease" },
    ],
  },
  {
    group: "discovery.k8s.io",
    version: "v1",
    resources: [
      {
        kind: "EndpointSlice",
        plural: "endpointslices",
        namespaced: true,
        definition: "io.k8s.api.discovery.v1.EndpointSlice",
      },
    ],
  },
  {
    group: "storage.k8s.io",
    version: "v1",
    resources: [
      {
        kind: "StorageClass",
        plural: "storageclasses",
        namespaced: false,
        shortNames: ["sc"],
        definition: "io.k8s.api.storage.v1.StorageClass",
      },
    ],
  },
  {
    group: "apiextensions.k8s.io",
    version: "v1",
    resources: [
      {
        kind: "CustomResourceDefinition",
        plural: "customresourcedefinitions",
        namespaced: false,
        shortNames: ["crd", "crds"],
        categories: ["api-extensions"],
        status: true,
        definition: "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition",
      },
    ],
  },
];

/** Every built-in resource this server serves. */
export function builtinResourceTypes(): ResourceType[] {
  return GROUPS.flatMap(({ group, version, resources }) =>
    resources.map(
      (entry): ResourceType => ({
        group,
        version,
        kind: entry.kind,
        listKind: `${entry.kind}List`,
        plural: entry.plural,
        singular: entry.kind.toLowerCase(),
        shortNames: entry.shortNames ?? [],
        categories: entry.categories ?? [],
        namespaced: entry.namespaced,
        verbs: entry.verbs ?? ALL_VERBS,
        subresources: {
          ...(entry.status ? { status: true } : {}),
          ...(entry.scale ? { scale: REPLICAS_SCALE } : {}),
        },
        shape: { type: "ref", name: entry.definition },
      }),
    ),
  );
}
