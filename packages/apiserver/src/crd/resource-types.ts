import { ALL_VERBS, type PrinterColumn, type ResourceType } from "../resources/resource-type.ts";
import type { CustomResourceColumnDefinition, CustomResourceDefinition } from "./definition.ts";
import { schemaToShape } from "./schema-to-shape.ts";

const COLUMN_TYPES = ["string", "integer", "number", "boolean", "date"] as const;

function column(c: CustomResourceColumnDefinition): PrinterColumn {
  const type = COLUMN_TYPES.find((t) => t === c.type) ?? "string";
  const out: PrinterColumn = { name: c.name ?? "", type, jsonPath: c.jsonPath ?? "" };
  if (c.format) out.format = c.format;
  if (c.description) out.description = c.description;
  if (c.priority !== undefined) out.priority = c.priority;
  return out;
}

/**
 * The served resources a valid (defaulted) CRD defines: one per served
 * version, with all verbs, its subresources, printer columns and the shape
 * derived from that version's schema. Versions without a schema are skipped.
 */
export function resourceTypesFromDefinition(crd: CustomResourceDefinition): ResourceType[] {
  const spec = crd.spec ?? {};
  const names = spec.names ?? {};
  const kind = names.kind ?? "";
  const types: ResourceType[] = [];
  for (const version of spec.versions ?? []) {
    const schema = version.schema?.openAPIV3Schema;
    if (!version.served || !version.name || !schema) continue;
    const subresources: ResourceType["subresources"] = {};
    if (version.subresources?.status) subresources.status = true;
    const scale = version.subresources?.scale;
    if (scale?.specReplicasPath && scale.statusReplicasPath) {
      subresources.scale = {
        specReplicasPath: scale.specReplicasPath,
        statusReplicasPath: scale.statusReplicasPath,
      };
      if (scale.labelSelectorPath) subresources.scale.labelSelectorPath = scale.labelSelectorPath;
    }
    types.push({
      group: spec.group ?? "",
      version: version.name,
      kind,
      listKind: names.listKind || `${kind}List`,
      plural: names.plural ?? "",
      singular: names.singular || kind.toLowerCase(),
      shortNames: names.shortNames ?? [],
      categories: names.categories ?? [],
      namespaced: spec.scope === "Namespaced",
      verbs: ALL_VERBS,
      subresources,
      shape: schemaToShape(schema),
      printerColumns: (version.additionalPrinterColumns ?? []).map(column),
    });
  }
  return types;
}
