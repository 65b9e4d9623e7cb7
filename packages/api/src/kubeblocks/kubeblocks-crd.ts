import type { KubeObject, ResourceId } from "@atoll/kube";
import type { PrinterColumn, Schema } from "../policy/crd-schema.ts";

export type KubeBlocksCrdOptions = {
  shortNames: string[];
  /** KubeBlocks puts its namespaced kinds in `kubeblocks` and `all`, the cluster-scoped ones in `kubeblocks` only. */
  categories: string[];
  /** What the kind is, for `kubectl explain`. */
  description: string;
  spec: Schema;
  /** Required in `spec`; most KubeBlocks kinds require none at the top. */
  status: Schema;
  /** Columns before AGE, named in upper case as KubeBlocks names them. */
  columns: PrinterColumn[];
};

/**
 * The CRD of one `apps.kubeblocks.io/v1alpha1` kind with KubeBlocks' names,
 * categories and printer columns, a status subresource and `spec` required.
 * Written out with what a server defaults (conversion), so what a server
 * returns equals what was applied.
 */
export function kubeBlocksCrd(id: ResourceId, options: KubeBlocksCrdOptions): KubeObject {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${id.resource}.${id.group}` },
    spec: {
      group: id.group,
      scope: id.namespaced ? "Namespaced" : "Cluster",
      names: {
        plural: id.resource,
        singular: id.kind.toLowerCase(),
        kind: id.kind,
        listKind: `${id.kind}List`,
        shortNames: options.shortNames,
        categories: options.categories,
      },
      versions: [
        {
          name: id.version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            ...options.columns,
            { name: "AGE", type: "date", jsonPath: ".metadata.creationTimestamp" },
          ],
          schema: {
            openAPIV3Schema: {
              type: "object",
              description: options.description,
              required: ["spec"],
              properties: { spec: options.spec, status: options.status },
            },
          },
        },
      ],
      conversion: { strategy: "None" },
    },
  };
}

/** A column read from one field. */
export function column(name: string, jsonPath: string, description: string): PrinterColumn {
  return { name, type: "string", jsonPath, description };
}
