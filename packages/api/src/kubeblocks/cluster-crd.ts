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
  resourceList,
  type Schema,
  string,
  stringMap,
  timestamp,
} from "../policy/crd-schema.ts";
import { ClusterPhases, KB_CLUSTERS, ReplicaPhases, ServiceTypes, TerminationPolicies } from "./cluster.ts";
import { column, kubeBlocksCrd } from "./kubeblocks-crd.ts";
import { KUBEBLOCKS_CATEGORY, KubeBlocksAnnotations } from "./kubeblocks-names.ts";

const KEEP_UNKNOWN = { "x-kubernetes-preserve-unknown-fields": true } as const;
const DNS_LABEL = "^[a-z]([a-z0-9-]*[a-z0-9])?$";

export const resourceRequirements: Schema = object(
  "Compute resources of each replica's containers, as core/v1 ResourceRequirements.",
  {
    limits: resourceList("The most each replica may use."),
    requests: resourceList("What each replica is scheduled with."),
  },
  KEEP_UNKNOWN,
);

const service = entry(
  {
    name: string(
      "Part of the Service name: <cluster>-<component>-<name> (and -<ordinal> for pod services).",
      {
        minLength: 1,
        maxLength: 25,
        pattern: DNS_LABEL,
      },
    ),
    serviceType: oneOf(Object.values(ServiceTypes), "How the Service is exposed.", { default: "ClusterIP" }),
    annotations: stringMap(
      `Annotations of the Service. ${KubeBlocksAnnotations.multiClusterServicePlacement}: unique puts a pod ` +
        "service only in its pod's member; mirror (the default) in every member of the placement.",
    ),
    podService: boolean(
      "One Service per replica, selecting only that replica's pod, so peers can address it.",
    ),
  },
  { required: ["name"] },
);

const volumeClaimTemplate = entry(
  {
    name: string("The volume the ComponentDefinition's containers mount, e.g. data.", { minLength: 1 }),
    spec: rawObject(
      "A PersistentVolumeClaim spec (accessModes, resources.requests.storage, storageClassName, volumeMode), kept as sent.",
    ),
  },
  { required: ["name"] },
);

const componentSpec = entry(
  {
    name: string("The component's name, unique in the Cluster; part of its pods' and services' names.", {
      minLength: 1,
      maxLength: 22,
      pattern: DNS_LABEL,
    }),
    componentDef: string("The name of the ComponentDefinition the component runs, e.g. etcd-0.9.0.", {
      minLength: 1,
      maxLength: 64,
    }),
    replicas: int32("How many replicas; spread over the members of the placement.", {
      minimum: 0,
      default: 1,
    }),
    resources: resourceRequirements,
    volumeClaimTemplates: list(
      "Volumes each replica gets a PersistentVolumeClaim for, in its own member.",
      volumeClaimTemplate,
      { mapKeys: ["name"] },
    ),
    services: list("Services of the component.", service, { mapKeys: ["name"] }),
    stop: boolean(
      "Stop the component: its pods are deleted, its PVCs and services kept (OpsRequest Stop sets it).",
    ),
  },
  { required: ["name", "componentDef"], ...KEEP_UNKNOWN },
);

const clusterSpec = object(
  "The desired instance. Fields of KubeBlocks' Cluster not listed here are accepted and kept, not acted on.",
  {
    terminationPolicy: oneOf(
      Object.values(TerminationPolicies),
      "What deleting the Cluster does: DoNotTerminate refuses; Halt keeps PVCs; Delete removes them; WipeOut also backups.",
    ),
    componentSpecs: list(
      "The components of the instance, each a set of replicas of one ComponentDefinition.",
      componentSpec,
      {
        mapKeys: ["name"],
        minItems: 1,
      },
    ),
  },
  { required: ["terminationPolicy"], ...KEEP_UNKNOWN },
);

const replicaStatus = entry(
  {
    podName: string("The replica's pod, <cluster>-<component>-<ordinal>."),
    member: string("The member cluster the replica is assigned to."),
    role: string("The role its role probe last reported, e.g. leader."),
    phase: oneOf(
      Object.values(ReplicaPhases),
      "The pod's phase; Unknown while its member cannot be reached.",
    ),
    ready: boolean("Whether the pod is Ready."),
    address: string("How peers reach the replica: its pod service's address, or its pod IP."),
    message: string("Why the replica is not running, if it is not."),
    upToDate: boolean(
      "Whether the replica's pod was made from the component's current template (resources, definition, restarts).",
    ),
  },
  { required: ["podName"] },
);

const phases = Object.values(ClusterPhases);

const componentStatus = entry(
  {
    phase: oneOf(phases, "The component's phase."),
    message: stringMap("Messages by object, keyed Kind/name."),
    podsReady: boolean("Whether every replica's pod is Ready."),
    podsReadyTime: timestamp("When the last pod became Ready."),
    replicas: list("Each replica: its member, role, pod phase and address.", replicaStatus, {
      mapKeys: ["podName"],
    }),
  },
  KEEP_UNKNOWN,
);

const clusterStatus = object("The observed state of the instance.", {
  observedGeneration: int64("The metadata.generation this status is for."),
  phase: oneOf(
    phases,
    "Creating, Running, Updating, Stopping, Stopped, Deleting, Failed, or Abnormal (serving, some replicas not).",
  ),
  message: string("Details of the phase."),
  components: {
    type: "object",
    description: "The status of each component, by name.",
    additionalProperties: componentStatus,
  },
  conditions: conditions("Conditions of the instance."),
});

/** The CRD of KubeBlocks' Cluster (namespaced, short name cl, categories kubeblocks and all). */
export function kbClusterCrd(): KubeObject {
  return kubeBlocksCrd(KB_CLUSTERS, {
    shortNames: ["cl"],
    categories: [KUBEBLOCKS_CATEGORY, "all"],
    description:
      "A database instance (KubeBlocks apps.kubeblocks.io/v1alpha1 Cluster): components whose replicas Atoll " +
      `spreads over member clusters, over those named in the ${KubeBlocksAnnotations.multiClusterPlacement} annotation if set.`,
    spec: clusterSpec,
    status: clusterStatus,
    columns: [
      column("TERMINATION-POLICY", ".spec.terminationPolicy", "What deleting the Cluster does."),
      column("STATUS", ".status.phase", "The phase of the instance."),
    ],
  });
}
