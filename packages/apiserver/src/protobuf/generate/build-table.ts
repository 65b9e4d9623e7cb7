import type { FieldDescriptor, FieldType, ScalarType, WellKnownType } from "../descriptors.ts";
import { type ProtoField, type ProtoFile, type ProtoMessage, ProtoType } from "./file-descriptor.ts";
import type { GoStructField } from "./go-struct-tags.ts";

/** The generated tables, mutable while being built. */
export type Tables = {
  messages: Record<string, Record<number, FieldDescriptor>>;
  kinds: Record<string, string>;
};

/** What to build the tables from. */
export type TableSources = {
  files: readonly ProtoFile[];
  goFields: readonly GoStructField[];
  roots: ReadonlyArray<{ apiVersion: string; protoPackage: string; kinds: readonly string[] }>;
};

const META = "k8s.io.apimachinery.pkg.apis.meta.v1";
type Layout = ReadonlyArray<readonly [number: number, name: string, type: number]>;

/** apimachinery messages decoded by hand, with the field layout the decoder assumes. */
const WELL_KNOWN: Readonly<Record<string, { type: WellKnownType; layout: Layout }>> = {
  "k8s.io.apimachinery.pkg.api.resource.Quantity": {
    type: "quantity",
    layout: [[1, "string", ProtoType.string]],
  },
  "k8s.io.apimachinery.pkg.util.intstr.IntOrString": {
    type: "int-or-string",
    layout: [
      [1, "type", ProtoType.int64],
      [2, "intVal", ProtoType.int32],
      [3, "strVal", ProtoType.string],
    ],
  },
  [`${META}.Time`]: {
    type: "time",
    layout: [
      [1, "seconds", ProtoType.int64],
      [2, "nanos", ProtoType.int32],
    ],
  },
  [`${META}.MicroTime`]: {
    type: "micro-time",
    layout: [
      [1, "seconds", ProtoType.int64],
      [2, "nanos", ProtoType.int32],
    ],
  },
  [`${META}.Duration`]: { type: "duration", layout: [[1, "duration", ProtoType.int64]] },
  [`${META}.FieldsV1`]: { type: "fields-v1", layout: [[1, "Raw", ProtoType.bytes]] },
  "k8s.io.apimachinery.pkg.runtime.RawExtension": {
    type: "raw-extension",
    layout: [[1, "raw", ProtoType.bytes]],
  },
};

const SCALARS: Readonly<Record<number, ScalarType>> = {
  [ProtoType.double]: "double",
  [ProtoType.float]: "float",
  [ProtoType.int64]: "int64",
  [ProtoType.uint64]: "uint64",
  [ProtoType.int32]: "int32",
  [ProtoType.bool]: "bool",
  [ProtoType.string]: "string",
  [ProtoType.bytes]: "bytes",
  [ProtoType.uint32]: "uint32",
};

/**
 * Builds the descriptor and kind tables for every message reachable from the
 * root kinds. Throws on anything the decoder could not honour: a missing
 * message, an unexpected layout of a well-known type, a proto type outside
 * `ScalarType`, a non-string map key, or Go tags that disagree on a JSON name.
 */
export function buildTables(sources: TableSources): { tables: Tables; untagged: string[] } {
  const all = new Map<string, ProtoMessage>();
  for (const file of sources.files) for (const message of file.messages) all.set(message.fullName, message);
  const jsonNames = new JsonNames(sources.goFields);
  const tables: Tables = { messages: {}, kinds: {} };
  const queue: string[] = [];
  for (const root of sources.roots) {
    for (const kind of root.kinds) {
      const name = `${root.protoPackage}.${kind}`;
      if (!all.has(name)) throw new Error(`root kind ${root.apiVersion}/${kind}: no message ${name}`);
      tables.kinds[`${root.apiVersion}/${kind}`] = name;
      queue.push(name);
    }
  }
  for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
    if (name in tables.messages) continue;
    const message = all.get(name);
    if (message === undefined) throw new Error(`message ${name} is referenced but not in any descriptor`);
    const fields: Record<number, FieldDescriptor> = {};
    for (const field of message.fields) {
      const descriptor = describeField(message, field, { all, jsonNames, queue });
      if (descriptor !== undefined) fields[field.number] = descriptor;
    }
    tables.messages[name] = fields;
  }
  return { tables: sortTables(tables), untagged: jsonNames.untagged };
}

type Context = { all: ReadonlyMap<string, ProtoMessage>; jsonNames: JsonNames; queue: string[] };

function describeField(
  message: ProtoMessage,
  field: ProtoField,
  context: Context,
): FieldDescriptor | undefined {
  const where = `${message.fullName}.${field.name}`;
  const naming = context.jsonNames.of(message, field);
  if (naming.json === "-") return undefined;
  const entry = field.typeName === undefined ? undefined : context.all.get(field.typeName);
  if (entry?.mapEntry) {
    const [key, value] = [1, 2].map((n) => entry.fields.find((f) => f.number === n));
    if (key?.type !== ProtoType.string || value === undefined)
      throw new Error(`${where}: map key must be a string`);
    return { json: naming.json, type: typeOf(value, where, context), map: true };
  }
  const descriptor: { -readonly [K in keyof FieldDescriptor]: FieldDescriptor[K] } = {
    json: naming.json,
    type: typeOf(field, where, context),
  };
  if (field.repeated) descriptor.repeated = true;
  else if (!field.nullable) descriptor.value = true;
  if (naming.inline) descriptor.inline = true;
  return descriptor;
}

function typeOf(field: ProtoField, where: string, context: Context): FieldType {
  if (field.type !== ProtoType.message) {
    const scalar = SCALARS[field.type];
    if (scalar === undefined) throw new Error(`${where}: unsupported proto type ${field.type}`);
    return scalar;
  }
  const name = field.typeName ?? "";
  const wellKnown = WELL_KNOWN[name];
  if (wellKnown !== undefined) {
    checkLayout(name, wellKnown.layout, context.all.get(name));
    return wellKnown.type;
  }
  context.queue.push(name);
  return name as FieldType;
}

function checkLayout(name: string, layout: Layout, message: ProtoMessage | undefined): void {
  const actual = (message?.fields ?? []).map((f) => `${f.number}:${f.name}:${f.type}`).join(" ");
  const expected = layout.map(([number, field, type]) => `${number}:${field}:${type}`).join(" ");
  if (actual !== expected)
    throw new Error(`${name} has layout "${actual}", the decoder assumes "${expected}"`);
}

/** JSON names and inlining of proto fields, from the Go struct tags of the same types. */
class JsonNames {
  readonly #byGoField = new Map<string, GoStructField[]>();
  /** Fields no Go tag was found for; their proto name is used as the JSON name. */
  readonly untagged: string[] = [];

  constructor(goFields: readonly GoStructField[]) {
    for (const field of goFields) {
      const key = `${field.goName}#${field.number}`;
      this.#byGoField.set(key, [...(this.#byGoField.get(key) ?? []), field]);
    }
  }

  of(message: ProtoMessage, field: ProtoField): { json: string; inline: boolean } {
    const goName = field.goName ?? field.name[0].toUpperCase() + field.name.slice(1);
    const candidates = (this.#byGoField.get(`${goName}#${field.number}`) ?? []).filter(
      (tag) => tag.protoName === undefined || tag.protoName === field.name,
    );
    // Go uses the field's own name when the json tag has none, and ignores tags on inline structs.
    const namings = new Map(
      candidates.map((tag) => {
        const json = tag.inline ? field.name : tag.json || goName;
        return [`${tag.inline}:${json}`, { json, inline: tag.inline }] as const;
      }),
    );
    if (namings.size > 1) {
      throw new Error(
        `${message.fullName}.${field.name}: Go tags disagree on its JSON name (${[...namings.keys()].join(", ")})`,
      );
    }
    const naming = [...namings.values()][0];
    if (naming !== undefined) return naming;
    this.untagged.push(`${message.fullName}.${field.name}`);
    return { json: field.name, inline: false };
  }
}

function sortTables(tables: Tables): Tables {
  const sorted: Tables = { messages: {}, kinds: {} };
  for (const name of Object.keys(tables.kinds).sort()) sorted.kinds[name] = tables.kinds[name];
  for (const name of Object.keys(tables.messages).sort()) sorted.messages[name] = tables.messages[name];
  return sorted;
}
