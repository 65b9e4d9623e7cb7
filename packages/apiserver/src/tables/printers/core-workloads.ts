import { AGE, CONTAINERS, column, IMAGES, NAME, wide } from "../columns.ts";
import { containerCells, count, formatLabels } from "../format.ts";
import { timeSince } from "../human-duration.ts";
import type { ObjectMeta, PodTemplateSpec } from "../kube-types.ts";
import type { Printer } from "../table.ts";

export { podPrinter } from "./pod.ts";

type ReplicationController = {
  metadata?: ObjectMeta;
  spec?: { replicas?: number; selector?: Record<string, string>; template?: PodTemplateSpec };
  status?: { replicas?: number; readyReplicas?: number };
};
type PodTemplate = { metadata?: ObjectMeta; template?: PodTemplateSpec };

/** ReplicationControllers: Name, Desired, Current, Ready, Age; wide Containers, Images, Selector. */
export const replicationControllerPrinter: Printer = {
  columns: [
    NAME,
    column("Desired", "integer", "Replicas is the number of desired replicas."),
    column("Current", "integer", "Replicas is the most recently observed number of replicas."),
    column("Ready", "integer", "The number of ready replicas for this replication controller."),
    AGE,
    CONTAINERS,
    IMAGES,
    wide("Selector", "Selector is a label query over pods that should match the Replicas count."),
  ],
  print(obj, { now }) {
    const rc = obj as ReplicationController;
    const [names, images] = containerCells(rc.spec?.template?.spec?.containers);
    return {
      cells: [
        rc.metadata?.name ?? "",
        count(rc.spec?.replicas ?? 1),
        count(rc.status?.replicas),
        count(rc.status?.readyReplicas),
        timeSince(rc.metadata?.creationTimestamp, now),
        names,
        images,
        formatLabels(rc.spec?.selector),
      ],
    };
  },
};

/** PodTemplates: Name, Containers, Images, Pod Labels. */
export const podTemplatePrinter: Printer = {
  columns: [
    NAME,
    column("Containers", "string", "Names of each container in the template."),
    column("Images", "string", "Images referenced by each container in the template."),
    column("Pod Labels", "string", "The labels for the pod template."),
  ],
  print(obj) {
    const pt = obj as PodTemplate;
    const [names, images] = containerCells(pt.template?.spec?.containers);
    return { cells: [pt.metadata?.name ?? "", names, images, formatLabels(pt.template?.metadata?.labels)] };
  },
};
