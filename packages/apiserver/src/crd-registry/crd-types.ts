import type { StatusCause } from "../api/errors.ts";
import type { KubeObject } from "../api/object.ts";
import { applyDefaultsInPlace } from "../crd/defaults.ts";
import type {
  CustomResourceDefinition,
  CustomResourceDefinitionVersion,
  JSONSchemaProps,
} from "../crd/definition.ts";
import { schemaToShape } from "../crd/schema-to-shape.ts";
import { validateObject } from "../crd/validate-object.ts";
import { builtinDefaulter } from "../registry/defaults/index.ts";
import type { TypeHooks, TypeHooksProvider } from "../registry/hooks.ts";
import { builtinStrategy } from "../registry/strategies/index.ts";
import { ALL_VERBS, type PrinterColumn, type ResourceType } from "../resources/resource-type.ts";
import { builtinShapes } from "../schema/builtin/index.ts";
import type { ShapeResolver } from "../schema/shape.ts";
import { crdStrategy } from "./crd-strategy.ts";

type CustomEntry = { schema: JSONSchemaProps | undefined; hooks: TypeHooks };

/**
 * The per-type hooks of every served resource: built-in strategies, and for
 * custom resources the CRD version's schema (defaults, validation, CEL rules).
 */
export class CrdTypes implements TypeHooksProvider {
  readonly shapes: ShapeResolver = builtinShapes;
  #custom = new Map<string, CustomEntry>();
  #crdHooks: TypeHooks = { strategy: crdStrategy };

  hooksFor(type: ResourceType): TypeHooks {
    if (type.definedBy) {
      const entry = this.#custom.get(typeKey(type));
      if (entry) return entry.hooks;
    }
    if (type.group === "apiextensions.k8s.io" && type.plural === "customresourcedefinitions")
      return this.#crdHooks;
    return { strategy: builtinStrategy(type), applyDefaults: builtinDefaulter(type) };
  }

  /** The resource types a CRD serves (one per served version), with their hooks recorded. */
  register(crd: CustomResourceDefinition): ResourceType[] {
    const types: ResourceType[] = [];
    for (const version of crd.spec?.versions ?? []) {
      if (!version.served) continue;
      const schema = version.schema?.openAPIV3Schema;
      const type = resourceTypeOf(crd, version);
      types.push(type);
      this.#custom.set(typeKey(type), {
        schema,
        hooks: {
          strategy: {},
          applyDefaults: schema ? (object) => defaultInPlace(object, schema) : undefined,
          validateSchema: schema
            ? (object: KubeObject, old: KubeObject | undefined): StatusCause[] =>
                validateObject(object, schema, old ? { oldObject: old } : {})
            : undefined,
        },
      });
    }
    return types;
  }

  unregister(types: readonly ResourceType[]): void {
    for (const type of types) this.#custom.delete(typeKey(type));
  }
}

function typeKey(type: Pick<ResourceType, "group" | "version" | "plural">): string {
  return `${type.group}/${type.version}/${type.plural}`;
}

function defaultInPlace(object: KubeObject, schema: JSONSchemaProps): void {
  applyDefaultsInPlace(object, schema);
}

function resourceTypeOf(
  crd: CustomResourceDefinition,
  version: CustomResourceDefinitionVersion,
): ResourceType {
  const spec = crd.spec ?? {};
  const names = spec.names ?? {};
  const kind = names.kind ?? "";
  const scale = version.subresources?.scale;
  const schema = version.schema?.openAPIV3Schema;
  return {
    group: spec.group ?? "",
    version: version.name ?? "",
    kind,
    listKind: names.listKind || `${kind}List`,
    plural: names.plural ?? "",
    singular: names.singular || kind.toLowerCase(),
    shortNames: names.shortNames ?? [],
    categories: names.categories ?? [],
    namespaced: spec.scope !== "Cluster",
    verbs: ALL_VERBS,
    subresources: {
      ...(version.subresources?.status ? { status: true } : {}),
      ...(scale
        ? {
            scale: {
              specReplicasPath: scale.specReplicasPath ?? ".spec.replicas",
              statusReplicasPath: scale.statusReplicasPath ?? ".status.replicas",
              ...(scale.labelSelectorPath ? { labelSelectorPath: scale.labelSelectorPath } : {}),
            },
          }
        : {}),
    },
    shape: schema ? schemaToShape(schema) : { type: "any" },
    printerColumns: (version.additionalPrinterColumns ?? []) as PrinterColumn[],
    definedBy: crd.metadata?.name ?? "",
  };
}
