import { AGE, CONTAINERS, column, IMAGES, NAME, SELECTOR } from "../columns.ts";
import { containerCells, count, formatLabelSelector, formatLabels, selectorText } from "../format.ts";
import { timeSince } from "../human-duration.ts";
import type { LabelSelectorObject, ObjectMeta, PodTemplateSpec } from "../kube-types.ts";
import type { Printer } from "../table.ts";

type Workload<Status> = {
  metadata?: ObjectMeta;
  spec?: { replicas?: number; selector?: LabelSelectorObject; template?: PodTemplateSpec };
  status?: Status;
};
type Deployment = Workload<{ readyReplicas?: number; updatedReplicas?: number; availableReplicas?: number }>;
type ReplicaSet = Workload<{ replicas?: number; readyReplicas?: number }>;
type StatefulSet = Workload<{ readyReplicas?: number }>;
type DaemonSet = Workload<{
  desiredNumberScheduled?: number;
  currentNumberScheduled?: number;
  numberReady?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
}>;

/** spec.replicas, which the API defaults to 1. */
const desired = (spec: { replicas?: number } | undefined): number => count(spec?.replicas ?? 1);

/** Deployments: Name, Ready ("2/3"), Up-to-date, Available, Age; wide Containers, Images, Selector. */
export const deploymentPrinter: Printer = {
  columns: [
    NAME,
    column("Ready", "string", "Number of the pod with ready state"),
    column(
      "Up-to-date",
      "string",
      "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
    ),
    column(
      "Available",
      "string",
      "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
    ),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  print(obj, { now }) {
    const d = obj as Deployment;
    const [names, images] = containerCells(d.spec?.template?.spec?.containers);
    return {
      cells: [
        d.metadata?.name ?? "",
        `${count(d.status?.readyReplicas)}/${desired(d.spec)}`,
        count(d.status?.updatedReplicas),
        count(d.status?.availableReplicas),
        timeSince(d.metadata?.creationTimestamp, now),
        names,
        images,
        selectorText(d.spec?.selector, "<invalid>"),
      ],
    };
  },
};

/** ReplicaSets: Name, Desired, Current, Ready, Age; wide Containers, Images, Selector. */
export const replicaSetPrinter: Printer = {
  columns: [
    NAME,
    column("Desired", "integer", "Replicas is the number of desired pods."),
    column("Current", "integer", "Replicas is the most recently observed number of replicas."),
    column("Ready", "integer", "The number of pods targeted by this ReplicaSet with a Ready Condition."),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  print(obj, { now }) {
    const rs = obj as ReplicaSet;
    const [names, images] = containerCells(rs.spec?.template?.spec?.containers);
    return {
      cells: [
        rs.metadata?.name ?? "",
        desired(rs.spec),
        count(rs.status?.replicas),
        count(rs.status?.readyReplicas),
        timeSince(rs.metadata?.creationTimestamp, now),
        names,
        images,
        formatLabelSelector(rs.spec?.selector),
      ],
    };
  },
};

/** StatefulSets: Name, Ready ("1/3"), Age; wide Containers, Images. */
export const statefulSetPrinter: Printer = {
  columns: [NAME, column("Ready", "string", "Number of the pod with ready state"), AGE, CONTAINERS, IMAGES],
  print(obj, { now }) {
    const sts = obj as StatefulSet;
    const [names, images] = containerCells(sts.spec?.template?.spec?.containers);
    return {
      cells: [
        sts.metadata?.name ?? "",
        `${count(sts.status?.readyReplicas)}/${desired(sts.spec)}`,
        timeSince(sts.metadata?.creationTimestamp, now),
        names,
        images,
      ],
    };
  },
};

/** DaemonSets: Name, Desired, Current, Ready, Up-to-date, Available, Node Selector, Age; wide Containers, Images, Selector. */
export const daemonSetPrinter: Printer = {
  columns: [
    NAME,
    column("Desired", "integer", "The total number of nodes that should be running the daemon pod."),
    column("Current", "integer", "The number of nodes running at least one daemon pod that are supposed to."),
    column(
      "Ready",
      "integer",
      "The number of nodes that should be running the daemon pod and have it Ready.",
    ),
    column("Up-to-date", "integer", "The total number of nodes running the updated daemon pod."),
    column(
      "Available",
      "integer",
      "The number of nodes that should be running the daemon pod and have it available.",
    ),
    column("Node Selector", "string", "The node selector of the daemon pods."),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  print(obj, { now }) {
    const ds = obj as DaemonSet;
    const status = ds.status ?? {};
    const [names, images] = containerCells(ds.spec?.template?.spec?.containers);
    return {
      cells: [
        ds.metadata?.name ?? "",
        count(status.desiredNumberScheduled),
        count(status.currentNumberScheduled),
        count(status.numberReady),
        count(status.updatedNumberScheduled),
        count(status.numberAvailable),
        formatLabels(ds.spec?.template?.spec?.nodeSelector),
        timeSince(ds.metadata?.creationTimestamp, now),
        names,
        images,
        formatLabelSelector(ds.spec?.selector),
      ],
    };
  },
};
