import { kinds, messages } from "./descriptors.generated.ts";
import { decodeObject } from "./message-decoder.ts";

export { ProtobufDecodeError, type ProtobufDecodeReason } from "./decode-error.ts";

/** The media type of Kubernetes protobuf bodies. */
export const KUBERNETES_PROTOBUF = "application/vnd.kubernetes.protobuf";

/**
 * True when a `Content-Type` header names Kubernetes protobuf
 * (`application/vnd.kubernetes.protobuf`, parameters and case ignored).
 */
export function isKubernetesProtobuf(contentType: string): boolean {
  return contentType.split(";")[0].trim().toLowerCase() === KUBERNETES_PROTOBUF;
}

/**
 * Decodes a Kubernetes protobuf request body of a built-in kind into the JSON
 * object a JSON client would have sent: `object` carries `apiVersion` and
 * `kind` from the envelope, fields Kubernetes writes unconditionally are left
 * out when zero (as Go's `omitempty` would), pointer fields are kept whenever
 * present (`replicas: 0`), and empty lists and maps are left out.
 *
 * The kinds covered are those of kubectl's typed clients and Kubernetes'
 * controllers (see `kinds` in `descriptors.generated.ts`); DeleteOptions is
 * accepted under any apiVersion.
 *
 * @throws ProtobufDecodeError with reason `Malformed`, `UnknownKind`,
 *   `UnknownMessage` or `Unsupported`, and a message naming the problem and,
 *   where known, the JSON path being decoded.
 */
export function decodeKubernetesProtobuf(body: Buffer): {
  apiVersion: string;
  kind: string;
  object: Record<string, unknown>;
} {
  return decodeObject(body, { messages, kinds });
}
