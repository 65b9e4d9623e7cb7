import { ProtobufDecodeError } from "./decode-error.ts";
import { WireReader, WireType } from "./wire-reader.ts";

/** A decoded JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Go's zero `time.Time` (0001-01-01T00:00:00Z) in Unix seconds; it marshals to JSON null. */
const GO_ZERO_TIME_SECONDS = -62135596800;
const NS_PER_SECOND = 1_000_000_000n;

/** `resource.Quantity` {string=1} → its canonical string; an empty message is Go's zero, "0". */
export function decodeQuantity(bytes: Uint8Array): string {
  let value = "";
  eachField(bytes, { 1: WireType.LengthDelimited }, (reader) => {
    value = reader.string();
  });
  return value === "" ? "0" : value;
}

/** `intstr.IntOrString` {type=1 (0 int, 1 string), intVal=2, strVal=3} → a number or a string. */
export function decodeIntOrString(bytes: Uint8Array): number | string {
  let type = 0;
  let intVal = 0;
  let strVal = "";
  eachField(
    bytes,
    { 1: WireType.Varint, 2: WireType.Varint, 3: WireType.LengthDelimited },
    (reader, field) => {
      if (field === 1) type = reader.int64();
      else if (field === 2) intVal = reader.int32();
      else strVal = reader.string();
    },
  );
  return type === 1 ? strVal : intVal;
}

/**
 * `metav1.Time` {seconds=1, nanos=2} → RFC 3339 to the second (Kubernetes drops
 * the nanoseconds when it reads one), or null for an empty message, which is
 * how Kubernetes writes the zero time.
 */
export function decodeTime(bytes: Uint8Array): string | null {
  if (bytes.length === 0) return null;
  const { seconds } = readTimestamp(bytes);
  return seconds === GO_ZERO_TIME_SECONDS ? null : formatRfc3339(seconds, undefined);
}

/** `metav1.MicroTime` → RFC 3339 with six fractional digits, or null when empty. */
export function decodeMicroTime(bytes: Uint8Array): string | null {
  if (bytes.length === 0) return null;
  const { seconds, nanos } = readTimestamp(bytes);
  if (seconds === GO_ZERO_TIME_SECONDS && nanos === 0) return null;
  return formatRfc3339(seconds, Math.floor(nanos / 1000));
}

/** `metav1.Duration` {duration=1, in nanoseconds} → Go's `time.Duration.String()`, e.g. `1h0m30s`. */
export function decodeDuration(bytes: Uint8Array): string {
  let nanoseconds = 0;
  eachField(bytes, { 1: WireType.Varint }, (reader) => {
    nanoseconds = reader.int64();
  });
  return formatGoDuration(BigInt(nanoseconds));
}

/** `metav1.FieldsV1` {Raw=1} → the field set it holds as JSON, or null when empty. */
export function decodeFieldsV1(bytes: Uint8Array): JsonValue {
  return parseRawJson(rawField(bytes), "FieldsV1");
}

/** The `raw` (field 1) bytes of a `runtime.RawExtension` or `metav1.FieldsV1`. */
export function rawField(bytes: Uint8Array): Uint8Array {
  let raw: Uint8Array = new Uint8Array();
  eachField(bytes, { 1: WireType.LengthDelimited }, (reader) => {
    raw = reader.bytes();
  });
  return raw;
}

/** Parses raw JSON bytes embedded in a message; empty bytes are null, as Go marshals a nil RawMessage. */
export function parseRawJson(raw: Uint8Array, what: string): JsonValue {
  if (raw.length === 0) return null;
  try {
    return JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("utf8"));
  } catch (error) {
    throw new ProtobufDecodeError("Malformed", `${what} does not hold JSON`, { cause: error });
  }
}

/** Go's `time.Duration.String()` for a count of nanoseconds. */
export function formatGoDuration(nanoseconds: bigint): string {
  if (nanoseconds === 0n) return "0s";
  const sign = nanoseconds < 0n ? "-" : "";
  const u = nanoseconds < 0n ? -nanoseconds : nanoseconds;
  if (u < 1000n) return `${sign}${u}ns`;
  if (u < 1_000_000n) return `${sign}${fraction(u, 3)}µs`;
  if (u < NS_PER_SECOND) return `${sign}${fraction(u, 6)}ms`;
  const totalSeconds = u / NS_PER_SECOND;
  const seconds = `${fraction((totalSeconds % 60n) * NS_PER_SECOND + (u % NS_PER_SECOND), 9)}s`;
  const minutes = totalSeconds / 60n;
  if (minutes === 0n) return `${sign}${seconds}`;
  const hours = minutes / 60n;
  return `${sign}${hours > 0n ? `${hours}h` : ""}${minutes % 60n}m${seconds}`;
}

/** `value / 10^digits` with trailing fractional zeros trimmed, as Go's `fmtFrac` prints it. */
function fraction(value: bigint, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const whole = value / scale;
  const rest = (value % scale).toString().padStart(digits, "0").replace(/0+$/, "");
  return rest === "" ? `${whole}` : `${whole}.${rest}`;
}

function readTimestamp(bytes: Uint8Array): { seconds: number; nanos: number } {
  let seconds = 0;
  let nanos = 0;
  eachField(bytes, { 1: WireType.Varint, 2: WireType.Varint }, (reader, field) => {
    if (field === 1) seconds = reader.int64();
    else nanos = reader.int32();
  });
  return { seconds, nanos };
}

/** Formats Unix seconds (UTC) as `2006-01-02T15:04:05Z`, with `.000000` micros when given. */
function formatRfc3339(seconds: number, micros: number | undefined): string {
  const date = new Date(seconds * 1000);
  const year = date.getUTCFullYear();
  if (Number.isNaN(date.getTime()) || year < 0 || year > 9999) {
    throw new ProtobufDecodeError("Malformed", `timestamp ${seconds}s is outside years 0-9999`);
  }
  const iso = date.toISOString().slice(0, 19);
  return micros === undefined ? `${iso}Z` : `${iso}.${String(micros).padStart(6, "0")}Z`;
}

/**
 * Reads the fields of a small message whose layout is given as field number →
 * wire type; `visit` is called with the reader at each such value, checked
 * first for its wire type. Other fields are skipped.
 */
function eachField(
  bytes: Uint8Array,
  layout: Readonly<Record<number, WireType>>,
  visit: (reader: WireReader, field: number) => void,
): void {
  const reader = new WireReader(bytes);
  while (!reader.done) {
    const key = reader.key();
    const expected = layout[key.field];
    if (expected === undefined) reader.skip(key);
    else if (expected !== key.wireType) {
      throw new ProtobufDecodeError(
        "Malformed",
        `field ${key.field} has wire type ${key.wireType}, expected ${expected}`,
      );
    } else visit(reader, key.field);
  }
}
