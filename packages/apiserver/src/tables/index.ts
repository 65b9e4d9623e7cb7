import type { ResourceType } from "../resources/resource-type.ts";
import { customResourcePrinter } from "./custom-resource.ts";
import { defaultPrinter } from "./default-table.ts";
import type { KubeObject } from "./kube-types.ts";
import {
  daemonSetPrinter,
  deploymentPrinter,
  replicaSetPrinter,
  statefulSetPrinter,
} from "./printers/apps.ts";
import { cronJobPrinter, jobPrinter } from "./printers/batch.ts";
import { namespacePrinter, nodePrinter } from "./printers/cluster.ts";
import { configMapPrinter, secretPrinter, serviceAccountPrinter } from "./printers/config.ts";
import { leasePrinter } from "./printers/coordination.ts";
import { podPrinter, podTemplatePrinter, replicationControllerPrinter } from "./printers/core-workloads.ts";
import { eventPrinter, eventsV1Printer } from "./printers/events.ts";
import {
  endpointSlicePrinter,
  endpointsPrinter,
  ingressClassPrinter,
  ingressPrinter,
  networkPolicyPrinter,
  servicePrinter,
} from "./printers/networking.ts";
import { podDisruptionBudgetPrinter, priorityClassPrinter } from "./printers/policy.ts";
import { clusterRoleBindingPrinter, roleBindingPrinter } from "./printers/rbac.ts";
import {
  persistentVolumeClaimPrinter,
  persistentVolumePrinter,
  storageClassPrinter,
} from "./printers/storage.ts";
import type { IncludeObject, Printer, Table, TableListMeta, TableRow } from "./table.ts";

export { humanDuration } from "./human-duration.ts";
export type {
  IncludeObject,
  PrintContext,
  PrintedRow,
  Printer,
  Table,
  TableCell,
  TableColumnDefinition,
  TableListMeta,
  TableRow,
  TableRowCondition,
} from "./table.ts";

/** Built-in printers by `group/plural`. Kinds not listed get the default Name / Created At table. */
const BUILTIN_PRINTERS: Readonly<Record<string, Printer>> = {
  "/pods": podPrinter,
  "/podtemplates": podTemplatePrinter,
  "/replicationcontrollers": replicationControllerPrinter,
  "/services": servicePrinter,
  "/endpoints": endpointsPrinter,
  "/nodes": nodePrinter,
  "/namespaces": namespacePrinter,
  "/events": eventPrinter,
  "/configmaps": configMapPrinter,
  "/secrets": secretPrinter,
  "/serviceaccounts": serviceAccountPrinter,
  "/persistentvolumes": persistentVolumePrinter,
  "/persistentvolumeclaims": persistentVolumeClaimPrinter,
  "apps/deployments": deploymentPrinter,
  "apps/replicasets": replicaSetPrinter,
  "apps/statefulsets": statefulSetPrinter,
  "apps/daemonsets": daemonSetPrinter,
  "batch/jobs": jobPrinter,
  "batch/cronjobs": cronJobPrinter,
  "discovery.k8s.io/endpointslices": endpointSlicePrinter,
  "networking.k8s.io/ingresses": ingressPrinter,
  "networking.k8s.io/ingressclasses": ingressClassPrinter,
  "networking.k8s.io/networkpolicies": networkPolicyPrinter,
  "storage.k8s.io/storageclasses": storageClassPrinter,
  "rbac.authorization.k8s.io/rolebindings": roleBindingPrinter,
  "rbac.authorization.k8s.io/clusterrolebindings": clusterRoleBindingPrinter,
  "coordination.k8s.io/leases": leasePrinter,
  "events.k8s.io/events": eventsV1Printer,
  "policy/poddisruptionbudgets": podDisruptionBudgetPrinter,
  "scheduling.k8s.io/priorityclasses": priorityClassPrinter,
};

/**
 * The printer for a resource: a custom resource's printer columns when the
 * type has `printerColumns` (even none), else the built-in printer for
 * `group/plural`, else kube-apiserver's default (Name, Created At).
 */
export function printerFor(type: Pick<ResourceType, "group" | "plural" | "printerColumns">): Printer {
  if (type.printerColumns !== undefined) return customResourcePrinter(type.printerColumns);
  return BUILTIN_PRINTERS[`${type.group}/${type.plural}`] ?? defaultPrinter;
}

export type TableOptions = {
  /** What each row carries of its object; Kubernetes' default is Metadata. */
  includeObject?: IncludeObject;
  /** The time ages are measured to. */
  now: Date;
  /**
   * The list's metadata, for list responses. Without it (a single-object get),
   * the table's resourceVersion is that of the one object.
   */
  listMeta?: TableListMeta;
};

function tableMetadata(objects: readonly object[], listMeta: TableListMeta | undefined): TableListMeta {
  const source = listMeta ?? {
    resourceVersion: objects.length === 1 ? (objects[0] as KubeObject).metadata?.resourceVersion : undefined,
  };
  const metadata: TableListMeta = {};
  if (source.resourceVersion) metadata.resourceVersion = source.resourceVersion;
  if (source.continue) metadata.continue = source.continue;
  if (source.remainingItemCount !== undefined) metadata.remainingItemCount = source.remainingItemCount;
  return metadata;
}

function rowObject(obj: object, includeObject: IncludeObject): object | undefined {
  switch (includeObject) {
    case "None":
      return undefined;
    case "Object":
      return obj;
    case "Metadata":
      return {
        kind: "PartialObjectMetadata",
        apiVersion: "meta.k8s.io/v1",
        metadata: (obj as KubeObject).metadata ?? {},
      };
  }
}

/**
 * Server-side printing, the body kube-apiserver returns for
 * `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`: the columns kubectl
 * shows for this kind (wide columns included, marked by priority) and one row
 * per object, in order.
 */
export function toTable(type: ResourceType, objects: readonly object[], options: TableOptions): Table {
  const printer = printerFor(type);
  const includeObject = options.includeObject ?? "Metadata";
  const rows = objects.map((obj): TableRow => {
    const printed = printer.print(obj, { now: options.now });
    const row: TableRow = { cells: printed.cells };
    if (printed.conditions) row.conditions = printed.conditions;
    const object = rowObject(obj, includeObject);
    if (object) row.object = object;
    return row;
  });
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: tableMetadata(objects, options.listMeta),
    columnDefinitions: printer.columns.map((column) => ({ ...column })),
    rows,
  };
}
