/** Protobuf scalar types as they appear in Kubernetes' `generated.proto` files. */
export type ScalarType =
  | "string"
  | "bytes"
  | "bool"
  | "int32"
  | "int64"
  | "uint32"
  | "uint64"
  | "double"
  | "float";

/**
 * apimachinery types whose JSON form is not the JSON of their message:
 * - `quantity`: `resource.Quantity` {string=1} → the string;
 * - `int-or-string`: `intstr.IntOrString` {type=1, intVal=2, strVal=3} → a number or a string;
 * - `time`: `metav1.Time` {seconds=1, nanos=2} → RFC 3339 to the second, or null when empty;
 * - `micro-time`: `metav1.MicroTime` → RFC 3339 with microseconds, or null when empty;
 * - `duration`: `metav1.Duration` {duration=1 (ns)} → a Go duration string such as `1m30s`;
 * - `raw-extension`: `runtime.RawExtension` {raw=1} → the embedded object (JSON, or nested protobuf);
 * - `fields-v1`: `metav1.FieldsV1` {Raw=1} → the embedded JSON field set.
 */
export type WellKnownType =
  | "quantity"
  | "int-or-string"
  | "time"
  | "micro-time"
  | "duration"
  | "raw-extension"
  | "fields-v1";

/** What a field holds: a scalar, a well-known type, or the full proto name of a message (contains dots). */
export type FieldType = ScalarType | WellKnownType | `${string}.${string}`;

/** One field of a message, keyed by its number in `MessageDescriptor`. */
export type FieldDescriptor = {
  /** The JSON property name. */
  readonly json: string;
  /** For a map, the type of its values (keys are always strings in Kubernetes). */
  readonly type: FieldType;
  /** A repeated field: a JSON array, omitted when empty. */
  readonly repeated?: true;
  /** A `map<string, type>`: a JSON object, omitted when empty. */
  readonly map?: true;
  /**
   * The Go field is a value, not a pointer (gogoproto `nullable=false`): Kubernetes
   * writes it whether set or not, so a zero scalar reads as unset and is left out,
   * as Go's `omitempty` would. Without this flag a field on the wire is kept even
   * when zero (`replicas: 0`).
   */
  readonly value?: true;
  /** An embedded Go struct tagged `json:",inline"`: its properties go on the parent object. */
  readonly inline?: true;
};

/** A message's fields by number. */
export type MessageDescriptor = Readonly<Record<number, FieldDescriptor>>;

/** Messages by full proto name, e.g. `k8s.io.api.apps.v1.Deployment`. */
export type DescriptorTable = Readonly<Record<string, MessageDescriptor>>;

/** Top-level messages by `apiVersion/kind`, e.g. `apps/v1/Deployment` → `k8s.io.api.apps.v1.Deployment`. */
export type KindTable = Readonly<Record<string, string>>;

/** True for a field type that names a message from the descriptor table. */
export function isMessageType(type: FieldType): type is `${string}.${string}` {
  return type.includes(".");
}
