/** A Go struct field's name and tags, as the Go runtime keeps them for reflection. */
export type GoStructField = {
  goName: string;
  /** The `json` tag's name part; "" for `json:",inline"`. */
  json: string;
  inline: boolean;
  /** The field number from the `protobuf` tag. */
  number: number;
  /** The `name=` of the `protobuf` tag, when it has one. */
  protoName: string | undefined;
};

const PROTOBUF_KEY = Buffer.from('protobuf:"', "latin1");
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** How far before `protobuf:"` a tag may start (a long json tag comes first). */
const LOOKBEHIND = 512;

/**
 * Finds the struct fields carrying a proto2 `protobuf` tag and a `json` tag in a Go binary. The Go
 * runtime stores each field name as: flag byte, varint length, name, varint
 * length, tag; this walks back from every `protobuf:"` to a start that fits
 * that layout exactly. Kubernetes' `generated.proto` names a field after its
 * Go name or an old tag, which is not always its JSON name (`uID` is `uid`),
 * and does not say which embedded structs are `json:",inline"`; these tags do.
 */
export function extractGoStructFields(binary: Uint8Array): GoStructField[] {
  const bytes = Buffer.from(binary.buffer, binary.byteOffset, binary.byteLength);
  const fields: GoStructField[] = [];
  for (let at = bytes.indexOf(PROTOBUF_KEY); at >= 0; at = bytes.indexOf(PROTOBUF_KEY, at + 1)) {
    const field = fieldAround(bytes, at);
    if (field !== undefined) fields.push(field);
  }
  return fields;
}

function fieldAround(bytes: Buffer, keyAt: number): GoStructField | undefined {
  for (let start = keyAt; start > keyAt - LOOKBEHIND && start > 2; start--) {
    const length = varintBefore(bytes, start);
    if (length === undefined || start + length.value <= keyAt + PROTOBUF_KEY.length) continue;
    const tags = parseStructTag(bytes.toString("latin1", start, start + length.value));
    if (tags === undefined) continue;
    const goName = nameBefore(bytes, start - length.size);
    const protobuf = tags.get("protobuf");
    const jsonTag = tags.get("json");
    if (goName === undefined || protobuf === undefined) continue;
    // Kubernetes API types are proto2 and always carry a json tag; skip other libraries' messages.
    const parts = protobuf.split(",");
    if (jsonTag === undefined || parts.includes("proto3")) return undefined;
    const number = Number(parts[1]);
    if (!Number.isInteger(number) || number < 1) continue;
    const protoName = parts.find((part) => part.startsWith("name="))?.slice("name=".length);
    const [json, ...options] = jsonTag.split(",");
    return { goName, json, inline: options.includes("inline"), number, protoName };
  }
  return undefined;
}

/** A one- or two-byte varint that ends just before `end`. */
function varintBefore(bytes: Buffer, end: number): { value: number; size: number } | undefined {
  const last = bytes[end - 1];
  if (last >= 0x80) return undefined;
  const previous = bytes[end - 2];
  if (previous >= 0x80) return { value: (previous & 0x7f) | (last << 7), size: 2 };
  return { value: last, size: 1 };
}

/** The identifier stored (flag byte with the has-tag bit, length, name) just before `end`. */
function nameBefore(bytes: Buffer, end: number): string | undefined {
  for (let length = 1; length < 100 && end - length - 2 >= 0; length++) {
    if (bytes[end - length - 1] !== length) continue;
    if ((bytes[end - length - 2] & 0x02) === 0) continue;
    const name = bytes.toString("latin1", end - length, end);
    if (IDENTIFIER.test(name)) return name;
  }
  return undefined;
}

/** Parses a whole Go struct tag (`key:"value" key:"value"`); undefined unless all of `text` fits. */
function parseStructTag(text: string): Map<string, string> | undefined {
  const tags = new Map<string, string>();
  const pattern = /([A-Za-z0-9_]+):"((?:[^"\\]|\\.)*)"( |$)/y;
  let at = 0;
  while (at < text.length) {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (match === null) return undefined;
    tags.set(match[1], match[2]);
    at = pattern.lastIndex;
  }
  return tags.size > 0 && !text.endsWith(" ") ? tags : undefined;
}
