/**
 * Why a protobuf body could not be decoded:
 * - `Malformed`: the bytes are not valid protobuf (or not the envelope Kubernetes writes);
 * - `UnknownKind`: the envelope names an apiVersion/kind this decoder has no descriptor for;
 * - `UnknownMessage`: a field refers to a message type missing from the descriptor table;
 * - `Unsupported`: valid, but uses something this decoder does not handle (e.g. a content encoding).
 */
export type ProtobufDecodeReason = "Malformed" | "UnknownKind" | "UnknownMessage" | "Unsupported";

/** A failure to decode a Kubernetes protobuf body; branch on `reason`, not on the message. */
export class ProtobufDecodeError extends Error {
  readonly reason: ProtobufDecodeReason;
  /** The JSON path of the field being decoded when it failed, e.g. `spec.template.spec.containers[0]`. */
  readonly path: string | undefined;

  constructor(
    reason: ProtobufDecodeReason,
    message: string,
    options: { cause?: unknown; path?: string } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "ProtobufDecodeError";
    this.reason = reason;
    this.path = options.path;
  }
}
