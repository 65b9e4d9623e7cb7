import { ProtobufDecodeError } from "./decode-error.ts";
import { WireReader, WireType } from "./wire-reader.ts";

/** The four bytes every Kubernetes protobuf body starts with: `k8s\0`. */
export const KUBERNETES_PROTOBUF_MAGIC: Uint8Array = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

/** The `runtime.Unknown` message that wraps every Kubernetes protobuf object. */
export type Envelope = {
  apiVersion: string;
  kind: string;
  /** The object's own message, encoded as `contentType` says. */
  raw: Uint8Array;
  /** Empty for plain bytes; anything else is a compression Atoll does not undo. */
  contentEncoding: string;
  /** Empty (or the protobuf media type) for a protobuf message. */
  contentType: string;
};

/** True when `bytes` starts with the Kubernetes protobuf magic. */
export function hasKubernetesMagic(bytes: Uint8Array): boolean {
  return KUBERNETES_PROTOBUF_MAGIC.every((byte, i) => bytes[i] === byte);
}

/**
 * Reads the magic and the `runtime.Unknown` envelope: typeMeta=1
 * {apiVersion=1, kind=2}, raw=2, contentEncoding=3, contentType=4.
 */
export function readEnvelope(body: Uint8Array): Envelope {
  if (!hasKubernetesMagic(body)) {
    throw new ProtobufDecodeError(
      "Malformed",
      "not a Kubernetes protobuf body: it does not start with k8s\\0",
    );
  }
  const envelope: Envelope = {
    apiVersion: "",
    kind: "",
    raw: new Uint8Array(),
    contentEncoding: "",
    contentType: "",
  };
  const reader = new WireReader(body, KUBERNETES_PROTOBUF_MAGIC.length);
  while (!reader.done) {
    const key = reader.key();
    if (key.field >= 1 && key.field <= 4 && key.wireType !== WireType.LengthDelimited) {
      throw new ProtobufDecodeError(
        "Malformed",
        `runtime.Unknown field ${key.field} has wire type ${key.wireType}`,
      );
    }
    if (key.field === 1) readTypeMeta(reader.sub(), envelope);
    else if (key.field === 2) envelope.raw = reader.bytes();
    else if (key.field === 3) envelope.contentEncoding = reader.string();
    else if (key.field === 4) envelope.contentType = reader.string();
    else reader.skip(key);
  }
  return envelope;
}

function readTypeMeta(reader: WireReader, into: Envelope): void {
  while (!reader.done) {
    const key = reader.key();
    if ((key.field === 1 || key.field === 2) && key.wireType !== WireType.LengthDelimited) {
      throw new ProtobufDecodeError(
        "Malformed",
        `runtime.TypeMeta field ${key.field} has wire type ${key.wireType}`,
      );
    }
    if (key.field === 1) into.apiVersion = reader.string();
    else if (key.field === 2) into.kind = reader.string();
    else reader.skip(key);
  }
}
