import { WireReader } from "../wire-reader.ts";

/** `FieldDescriptorProto.Type` numbers (descriptor.proto). */
export const ProtoType = {
  double: 1,
  float: 2,
  int64: 3,
  uint64: 4,
  int32: 5,
  fixed64: 6,
  fixed32: 7,
  bool: 8,
  string: 9,
  group: 10,
  message: 11,
  bytes: 12,
  uint32: 13,
  enum: 14,
  sfixed32: 15,
  sfixed64: 16,
  sint32: 17,
  sint64: 18,
} as const;

/** One field of a compiled message, with the options the table needs. */
export type ProtoField = {
  name: string;
  number: number;
  repeated: boolean;
  /** A `FieldDescriptorProto.Type` number. */
  type: number;
  /** Full message name without the leading dot, for message fields. */
  typeName?: string;
  /** gogoproto `nullable`; true unless the option says false. */
  nullable: boolean;
  /** gogoproto `customname`: the Go field name, when it is not the proto name in CamelCase. */
  goName?: string;
};

/** One message, nested messages flattened under their full names. */
export type ProtoMessage = { fullName: string; mapEntry: boolean; fields: ProtoField[] };

/** The parts of a FileDescriptorProto the table generator reads. */
export type ProtoFile = { name: string; packageName: string; messages: ProtoMessage[] };

const GOGO_NULLABLE = 65001;
const GOGO_CUSTOMNAME = 65004;

/** Parses a serialized `google.protobuf.FileDescriptorProto`. */
export function parseFileDescriptor(data: Uint8Array): ProtoFile {
  const file: ProtoFile = { name: "", packageName: "", messages: [] };
  const messageBodies: Uint8Array[] = [];
  const reader = new WireReader(data);
  while (!reader.done) {
    const key = reader.key();
    if (key.field === 1) file.name = reader.string();
    else if (key.field === 2) file.packageName = reader.string();
    else if (key.field === 4) messageBodies.push(reader.bytes());
    else reader.skip(key);
  }
  for (const body of messageBodies) parseMessage(body, file.packageName, file.messages);
  return file;
}

function parseMessage(data: Uint8Array, scope: string, into: ProtoMessage[]): void {
  const message: ProtoMessage = { fullName: "", mapEntry: false, fields: [] };
  const nested: Uint8Array[] = [];
  const reader = new WireReader(data);
  while (!reader.done) {
    const key = reader.key();
    if (key.field === 1) message.fullName = `${scope}.${reader.string()}`;
    else if (key.field === 2) message.fields.push(parseField(reader.bytes()));
    else if (key.field === 3) nested.push(reader.bytes());
    else if (key.field === 7) message.mapEntry = readBoolOption(reader.bytes(), 7) ?? false;
    else reader.skip(key);
  }
  into.push(message);
  for (const body of nested) parseMessage(body, message.fullName, into);
}

function parseField(data: Uint8Array): ProtoField {
  const field: ProtoField = { name: "", number: 0, repeated: false, type: 0, nullable: true };
  const reader = new WireReader(data);
  while (!reader.done) {
    const key = reader.key();
    if (key.field === 1) field.name = reader.string();
    else if (key.field === 3) field.number = reader.int32();
    else if (key.field === 4) field.repeated = reader.int32() === 3;
    else if (key.field === 5) field.type = reader.int32();
    else if (key.field === 6) field.typeName = reader.string().replace(/^\./, "");
    else if (key.field === 8) readFieldOptions(reader.bytes(), field);
    else reader.skip(key);
  }
  return field;
}

function readFieldOptions(data: Uint8Array, field: ProtoField): void {
  const reader = new WireReader(data);
  while (!reader.done) {
    const key = reader.key();
    if (key.field === GOGO_NULLABLE && key.wireType === 0) field.nullable = reader.bool();
    else if (key.field === GOGO_CUSTOMNAME && key.wireType === 2) field.goName = reader.string();
    else reader.skip(key);
  }
}

/** A bool option by number from a serialized options message. */
function readBoolOption(data: Uint8Array, number: number): boolean | undefined {
  let value: boolean | undefined;
  const reader = new WireReader(data);
  while (!reader.done) {
    const key = reader.key();
    if (key.field === number && key.wireType === 0) value = reader.bool();
    else reader.skip(key);
  }
  return value;
}
