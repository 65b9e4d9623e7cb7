import { ProtobufDecodeError } from "./decode-error.ts";
import {
  type DescriptorTable,
  type FieldDescriptor,
  type FieldType,
  isMessageType,
  type KindTable,
  type ScalarType,
} from "./descriptors.ts";
import { hasKubernetesMagic, readEnvelope } from "./envelope.ts";
import {
  decodeDuration,
  decodeFieldsV1,
  decodeIntOrString,
  decodeMicroTime,
  decodeQuantity,
  decodeTime,
  type JsonValue,
  parseRawJson,
  rawField,
} from "./well-known.ts";
import { WireReader, WireType } from "./wire-reader.ts";

/** A decoded JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** The descriptor and kind tables a decoder works from. */
export type DecodeTables = { readonly messages: DescriptorTable; readonly kinds: KindTable };

/** A decoded body: its type and the JSON object, which carries `apiVersion` and `kind` too. */
export type DecodedObject = { apiVersion: string; kind: string; object: JsonObject };

const PROTOBUF_CONTENT_TYPE = "application/vnd.kubernetes.protobuf";
const DELETE_OPTIONS = "meta.k8s.io/v1/DeleteOptions";

const SCALAR_WIRE_TYPES: Readonly<Record<ScalarType, WireType>> = {
  string: WireType.LengthDelimited,
  bytes: WireType.LengthDelimited,
  bool: WireType.Varint,
  int32: WireType.Varint,
  int64: WireType.Varint,
  uint32: WireType.Varint,
  uint64: WireType.Varint,
  double: WireType.Fixed64,
  float: WireType.Fixed32,
};

/**
 * Decodes a Kubernetes protobuf body (`k8s\0` + `runtime.Unknown`) into the
 * JSON object a JSON client would have sent for the same Go object. Throws a
 * `ProtobufDecodeError` for malformed bytes, an unknown kind or message, or a
 * compressed or non-protobuf payload.
 */
export function decodeObject(body: Uint8Array, tables: DecodeTables): DecodedObject {
  const envelope = readEnvelope(body);
  const { apiVersion, kind } = envelope;
  if (kind === "" || apiVersion === "") {
    throw new ProtobufDecodeError("Malformed", "the runtime.Unknown envelope has no apiVersion or kind");
  }
  if (envelope.contentEncoding !== "") {
    throw new ProtobufDecodeError(
      "Unsupported",
      `content encoding ${envelope.contentEncoding} is not supported`,
    );
  }
  if (envelope.contentType !== "" && envelope.contentType !== PROTOBUF_CONTENT_TYPE) {
    throw new ProtobufDecodeError(
      "Unsupported",
      `an envelope of content type ${envelope.contentType} is not supported`,
    );
  }
  const message = messageOf(apiVersion, kind, tables.kinds);
  const fields = decodeMessage(envelope.raw, message, { tables, path: "" });
  return { apiVersion, kind, object: { apiVersion, kind, ...fields } };
}

function messageOf(apiVersion: string, kind: string, kinds: KindTable): string {
  const message = kinds[`${apiVersion}/${kind}`];
  if (message !== undefined) return message;
  // client-go registers DeleteOptions in every group version and encodes it with the resource's.
  if (kind === "DeleteOptions" && kinds[DELETE_OPTIONS] !== undefined) return kinds[DELETE_OPTIONS];
  throw new ProtobufDecodeError(
    "UnknownKind",
    `no protobuf descriptor for ${apiVersion}, Kind=${kind}; send it as JSON`,
  );
}

/** Where decoding is: the tables, and the JSON path of the value being read (for errors). */
type Scope = { readonly tables: DecodeTables; readonly path: string };

/**
 * Decodes one message by its descriptor. Unknown field numbers are skipped, as
 * Kubernetes does; a repeated singular field keeps its last value.
 */
function decodeMessage(bytes: Uint8Array, name: string, scope: Scope): JsonObject {
  const descriptor = scope.tables.messages[name];
  if (descriptor === undefined) {
    const where = scope.path === "" ? "" : ` at ${scope.path}`;
    throw new ProtobufDecodeError("UnknownMessage", `no descriptor for message ${name}${where}`, {
      path: scope.path,
    });
  }
  const object: JsonObject = {};
  const inlined: JsonObject[] = [];
  const reader = new WireReader(bytes);
  let at = scope.path;
  try {
    while (!reader.done) {
      const key = reader.key();
      const field = descriptor[key.field];
      if (field === undefined) {
        reader.skip(key);
        continue;
      }
      at = scope.path === "" ? field.json : `${scope.path}.${field.json}`;
      const inner: Scope = { tables: scope.tables, path: at };
      if (field.map) {
        expectWireType(key.wireType, WireType.LengthDelimited);
        const [entryKey, value] = readMapEntry(reader.sub(), field.type, inner);
        container(object, field.json, () => ({}) as JsonObject)[entryKey] = value;
      } else if (field.repeated) {
        const items = container(object, field.json, () => [] as JsonValue[]);
        readRepeated(reader, key.wireType, { field, items, scope: inner });
        if (items.length === 0) delete object[field.json];
      } else if (field.inline) {
        expectWireType(key.wireType, WireType.LengthDelimited);
        inlined.push(decodeMessage(reader.bytes(), field.type, scope));
      } else {
        expectWireType(key.wireType, wireTypeOf(field.type));
        setSingular(object, field, readValue(reader, field.type, inner));
      }
    }
  } catch (error) {
    throw located(error, at);
  }
  for (const properties of inlined) Object.assign(object, properties);
  return object;
}

/** Appends one element, or a packed run of scalar elements, to a repeated field's items. */
function readRepeated(
  reader: WireReader,
  wireType: WireType,
  target: { field: FieldDescriptor; items: JsonValue[]; scope: Scope },
): void {
  const { field, items, scope } = target;
  const expected = wireTypeOf(field.type);
  const element = (from: WireReader) =>
    items.push(readValue(from, field.type, { tables: scope.tables, path: `${scope.path}[${items.length}]` }));
  if (wireType === WireType.LengthDelimited && expected !== WireType.LengthDelimited) {
    const packed = reader.sub();
    while (!packed.done) element(packed);
    return;
  }
  expectWireType(wireType, expected);
  element(reader);
}

function readMapEntry(reader: WireReader, type: FieldType, scope: Scope): [string, JsonValue] {
  let key = "";
  let value: JsonValue | undefined;
  while (!reader.done) {
    const entryKey = reader.key();
    if (entryKey.field === 1) {
      expectWireType(entryKey.wireType, WireType.LengthDelimited);
      key = reader.string();
    } else if (entryKey.field === 2) {
      expectWireType(entryKey.wireType, wireTypeOf(type));
      value = readValue(reader, type, {
        tables: scope.tables,
        path: `${scope.path}[${JSON.stringify(key)}]`,
      });
    } else reader.skip(entryKey);
  }
  return [key, value ?? zeroOf(type, scope)];
}

function readValue(reader: WireReader, type: FieldType, scope: Scope): JsonValue {
  switch (type) {
    case "string":
      return reader.string();
    case "bytes":
      return base64(reader.bytes());
    case "bool":
      return reader.bool();
    case "int32":
      return reader.int32();
    case "int64":
      return reader.int64();
    case "uint32":
      return reader.uint32();
    case "uint64":
      return reader.uint64();
    case "double":
      return reader.double();
    case "float":
      return reader.float();
    default:
      return decodeLengthDelimited(reader.bytes(), type, scope);
  }
}

function decodeLengthDelimited(bytes: Uint8Array, type: FieldType, scope: Scope): JsonValue {
  switch (type) {
    case "quantity":
      return decodeQuantity(bytes);
    case "int-or-string":
      return decodeIntOrString(bytes);
    case "time":
      return decodeTime(bytes);
    case "micro-time":
      return decodeMicroTime(bytes);
    case "duration":
      return decodeDuration(bytes);
    case "fields-v1":
      return decodeFieldsV1(bytes);
    case "raw-extension":
      return decodeRawExtension(rawField(bytes), scope.tables);
    default:
      if (!isMessageType(type)) throw new Error(`unhandled field type ${type}`);
      return decodeMessage(bytes, type, scope);
  }
}

/** A RawExtension holds JSON, or a nested protobuf object when a protobuf client wrote it. */
function decodeRawExtension(raw: Uint8Array, tables: DecodeTables): JsonValue {
  return hasKubernetesMagic(raw) ? decodeObject(raw, tables).object : parseRawJson(raw, "RawExtension");
}

/** What a map value absent from its entry decodes to: the Go zero value. */
function zeroOf(type: FieldType, scope: Scope): JsonValue {
  if (type === "bool") return false;
  if (type === "string" || type === "bytes") return "";
  if (type in SCALAR_WIRE_TYPES) return 0;
  return decodeLengthDelimited(new Uint8Array(), type, scope);
}

function setSingular(object: JsonObject, field: FieldDescriptor, value: JsonValue): void {
  // Kubernetes writes value (non-pointer) scalars even when unset; Go's omitempty leaves zeros out.
  if (field.value && (value === "" || value === 0 || value === false) && field.type in SCALAR_WIRE_TYPES) {
    delete object[field.json];
  } else object[field.json] = value;
}

function container<T extends JsonValue[] | JsonObject>(object: JsonObject, name: string, create: () => T): T {
  const existing = object[name];
  if (existing !== undefined && existing !== null && typeof existing === "object") return existing as T;
  const created = create();
  object[name] = created;
  return created;
}

function wireTypeOf(type: FieldType): WireType {
  return type in SCALAR_WIRE_TYPES ? SCALAR_WIRE_TYPES[type as ScalarType] : WireType.LengthDelimited;
}

function expectWireType(actual: WireType, expected: WireType): void {
  if (actual !== expected) {
    throw new ProtobufDecodeError(
      "Malformed",
      `wire type ${actual} where the field's type needs ${expected}`,
    );
  }
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/** Adds the JSON path to an error from deeper down that does not have one yet. */
function located(error: unknown, path: string): unknown {
  if (!(error instanceof ProtobufDecodeError) || error.path !== undefined || path === "") return error;
  return new ProtobufDecodeError(error.reason, `${error.message} (at ${path})`, { cause: error.cause, path });
}
