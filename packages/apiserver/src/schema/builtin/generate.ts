/**
 * Development-time generator of `definitions.generated.ts`: reads field names
 * and types from the `kubernetes-types` declarations, applies the hand-written
 * overlays (`overlay-lists.ts`, `overlay-fields.ts`) and keeps only the
 * definitions reachable from the built-in kinds in `roots.ts`.
 *
 *   npx node packages/apiserver/src/schema/builtin/generate.ts          # rewrite the file
 *   npx node packages/apiserver/src/schema/builtin/generate.ts --check  # fail if it is stale
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Shape } from "../shape.ts";
import { readDeclarations, type TsDeclaration, type TsType } from "./dts-reader.ts";
import {
  addedDefinitions,
  addedFields,
  enums,
  floatFields,
  newlyRequired,
  removedFields,
} from "./overlay-fields.ts";
import { atomicMaps, atomicStructs, listSemantics } from "./overlay-lists.ts";
import { renderDefinitions } from "./render.ts";
import { builtinKinds } from "./roots.ts";

/** `kubernetes-types` folder → OpenAPI definition name prefix. */
const MODULE_PREFIX: Readonly<Record<string, string>> = {
  "core/v1": "io.k8s.api.core.v1",
  "apps/v1": "io.k8s.api.apps.v1",
  "autoscaling/v1": "io.k8s.api.autoscaling.v1",
  "batch/v1": "io.k8s.api.batch.v1",
  "rbac/v1": "io.k8s.api.rbac.v1",
  "coordination/v1": "io.k8s.api.coordination.v1",
  "discovery/v1": "io.k8s.api.discovery.v1",
  "storage/v1": "io.k8s.api.storage.v1",
  "apiextensions/v1": "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1",
  "meta/v1": "io.k8s.apimachinery.pkg.apis.meta.v1",
  runtime: "io.k8s.apimachinery.pkg.runtime",
  "api/resource": "io.k8s.apimachinery.pkg.api.resource",
};

const ANY: Shape = { type: "any" };
/** Named types that become inline shapes instead of references. */
const INLINE: Readonly<Record<string, Shape>> = {
  "api/resource.Quantity": { type: "scalar", scalar: "quantity" },
  "meta/v1.Time": { type: "scalar", scalar: "date-time" },
  "meta/v1.MicroTime": { type: "scalar", scalar: "date-time" },
  "meta/v1.FieldsV1": ANY,
  "runtime.RawExtension": ANY,
  "apiextensions/v1.JSON": ANY,
  // Unions of a schema with a bool or list: not expressible as one shape.
  "apiextensions/v1.JSONSchemaPropsOrArray": ANY,
  "apiextensions/v1.JSONSchemaPropsOrBool": ANY,
  "apiextensions/v1.JSONSchemaPropsOrStringArray": ANY,
};

type StructShape = Extract<Shape, { type: "struct" }>;

/** Builds every definition reachable from the built-in kinds, keyed by OpenAPI definition name. */
export function buildDefinitions(typesDir: string): Record<string, Shape> {
  const declarations = new Map<string, TsDeclaration>();
  for (const module of Object.keys(MODULE_PREFIX)) {
    const source = readFileSync(join(typesDir, `${module}.d.ts`), "utf8");
    for (const declaration of readDeclarations(module, source)) {
      declarations.set(`${MODULE_PREFIX[module]}.${declaration.name}`, declaration);
    }
  }
  const used = new Set<string>();
  const definitions: Record<string, Shape> = {};
  const pending = builtinKinds.map((kind) => kind.definition);
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (name in definitions) continue;
    const shape = addedDefinitions[name] ?? structFromDeclaration(name, declarations.get(name));
    definitions[name] = shape;
    if (shape.type !== "struct") continue;
    for (const [field, fieldShape] of Object.entries(shape.fields)) {
      definitions[name] = withField(
        definitions[name] as StructShape,
        field,
        refine(`${name}.${field}`, fieldShape, used),
      );
      pending.push(...referencedNames(fieldShape));
    }
    if (atomicStructs.has(name)) {
      definitions[name] = { ...(definitions[name] as StructShape), atomic: true };
      used.add(name);
    }
  }
  const overlayKeys = [
    ...Object.keys(listSemantics),
    ...atomicMaps,
    ...atomicStructs,
    ...Object.keys(enums),
    ...floatFields,
  ];
  const stale = overlayKeys.filter((key) => !used.has(key));
  if (stale.length > 0) throw new Error(`overlay entries match no field: ${stale.join(", ")}`);
  return Object.fromEntries(Object.entries(definitions).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function structFromDeclaration(name: string, declaration: TsDeclaration | undefined): StructShape {
  if (declaration?.kind !== "interface") throw new Error(`no interface for ${name}`);
  const fields: Record<string, Shape> = {};
  const required: string[] = [];
  for (const field of declaration.fields) {
    const key = `${name}.${field.name}`;
    if (removedFields.has(key)) continue;
    fields[field.name] = shapeOf(field.type);
    if (!field.optional || newlyRequired.has(key)) required.push(field.name);
  }
  for (const key of newlyRequired) {
    const field = key.slice(name.length + 1);
    if (key.startsWith(`${name}.`) && field in fields && !required.includes(field)) required.push(field);
  }
  Object.assign(fields, addedFields[name] ?? {});
  const sorted = Object.fromEntries(Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : 1)));
  const shape: StructShape = { type: "struct", fields: sorted };
  return required.length > 0 ? { ...shape, required: required.sort() } : shape;
}

function shapeOf(type: TsType): Shape {
  switch (type.kind) {
    case "primitive":
      return { type: "scalar", scalar: type.name === "number" ? "integer" : type.name };
    case "literal":
      return { type: "scalar", scalar: "string" };
    case "union": {
      const names = type.members.map((member) => (member.kind === "primitive" ? member.name : "?")).sort();
      if (names.join("|") === "number|string") return { type: "scalar", scalar: "int-or-string" };
      throw new Error(`unsupported union ${JSON.stringify(type)}`);
    }
    case "array":
      return { type: "list", items: shapeOf(type.items), listType: "atomic" };
    case "map":
      return { type: "map", values: shapeOf(type.values) };
    case "ref": {
      const key = `${type.module}.${type.name}`;
      if (key in INLINE) return INLINE[key];
      const prefix = MODULE_PREFIX[type.module];
      if (!prefix) throw new Error(`no definition prefix for module ${type.module}`);
      return { type: "ref", name: `${prefix}.${type.name}` };
    }
  }
}

/** Applies the per-field overlays to one field's shape, recording which overlay keys were used. */
function refine(key: string, shape: Shape, used: Set<string>): Shape {
  if (shape.type === "list") {
    const semantics = listSemantics[key];
    if (semantics) used.add(key);
    const items = refineScalar(key, shape.items, used);
    return { type: "list", items, ...(semantics ?? { listType: shape.listType }) };
  }
  if (shape.type === "map" && atomicMaps.has(key)) {
    used.add(key);
    return { ...shape, atomic: true };
  }
  return refineScalar(key, shape, used);
}

function refineScalar(key: string, shape: Shape, used: Set<string>): Shape {
  if (shape.type !== "scalar") return shape;
  if (floatFields.has(key)) {
    used.add(key);
    return { ...shape, scalar: "number" };
  }
  const values = enums[key];
  if (values) {
    used.add(key);
    return { ...shape, enum: values };
  }
  return shape;
}

function withField(struct: StructShape, field: string, shape: Shape): StructShape {
  return { ...struct, fields: { ...struct.fields, [field]: shape } };
}

function referencedNames(shape: Shape): string[] {
  if (shape.type === "ref") return [shape.name];
  if (shape.type === "list") return referencedNames(shape.items);
  if (shape.type === "map") return referencedNames(shape.values);
  return [];
}

function main(): void {
  const here = dirname(fileURLToPath(import.meta.url));
  const typesDir = dirname(createRequire(import.meta.url).resolve("kubernetes-types/package.json"));
  const version = (JSON.parse(readFileSync(join(typesDir, "package.json"), "utf8")) as { version: string })
    .version;
  const text = renderDefinitions(buildDefinitions(typesDir), version);
  const target = join(here, "definitions.generated.ts");
  if (process.argv.includes("--check")) {
    if (readFileSync(target, "utf8") !== text) {
      console.error(`${target} is stale: run generate.ts`);
      process.exitCode = 1;
    }
    return;
  }
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}

if (import.meta.main) main();
