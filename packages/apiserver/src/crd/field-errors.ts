import type { StatusCause } from "../api/errors.ts";

/**
 * Builders for `Status.details.causes` entries worded exactly as
 * kube-apiserver's `field.Error` (k8s.io/apimachinery/pkg/util/validation/field),
 * so `kubectl` users see the messages they know. `message` is the error body
 * without the field path; `field` carries the path.
 */
export const CauseReason = {
  Required: "FieldValueRequired",
  Invalid: "FieldValueInvalid",
  NotSupported: "FieldValueNotSupported",
  TypeInvalid: "FieldValueTypeInvalid",
  Duplicate: "FieldValueDuplicate",
  Forbidden: "FieldValueForbidden",
  TooLong: "FieldValueTooLong",
  TooMany: "FieldValueTooMany",
} as const;

/** `a.b` */
export function child(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

/** `a[3]` */
export function index(path: string, i: number): string {
  return `${path}[${i}]`;
}

/** `a[key]`, as field paths print map keys. */
export function key(path: string, k: string): string {
  return `${path}[${k}]`;
}

/** Formats a bad value like Go's field.Error: strings quoted, scalars bare, the rest as JSON. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  return JSON.stringify(value);
}

function cause(reason: string, field: string, message: string): StatusCause {
  return field ? { reason, message, field } : { reason, message };
}

function withDetail(body: string, detail: string | undefined): string {
  return detail ? `${body}: ${detail}` : body;
}

export function required(field: string, detail?: string): StatusCause {
  return cause(CauseReason.Required, field, withDetail("Required value", detail));
}

export function invalid(field: string, value: unknown, detail?: string): StatusCause {
  return cause(CauseReason.Invalid, field, withDetail(`Invalid value: ${formatValue(value)}`, detail));
}

export function typeInvalid(field: string, value: unknown, detail?: string): StatusCause {
  return cause(CauseReason.TypeInvalid, field, withDetail(`Invalid value: ${formatValue(value)}`, detail));
}

/** `Unsupported value: "x": supported values: "a", "b"` */
export function notSupported(field: string, value: unknown, supported: readonly string[]): StatusCause {
  const list = supported.map((s) => JSON.stringify(s)).join(", ");
  const detail = supported.length ? `supported values: ${list}` : undefined;
  return cause(
    CauseReason.NotSupported,
    field,
    withDetail(`Unsupported value: ${formatValue(value)}`, detail),
  );
}

export function duplicate(field: string, value: unknown): StatusCause {
  return cause(CauseReason.Duplicate, field, `Duplicate value: ${formatValue(value)}`);
}

export function forbidden(field: string, detail?: string): StatusCause {
  return cause(CauseReason.Forbidden, field, withDetail("Forbidden", detail));
}

/** `Too long: may not be more than 5 bytes` */
export function tooLong(field: string, max: number): StatusCause {
  return cause(
    CauseReason.TooLong,
    field,
    `Too long: may not be more than ${max} ${max === 1 ? "byte" : "bytes"}`,
  );
}

/** `Too many: 5: must have at most 3 items` */
export function tooMany(field: string, actual: number, max: number): StatusCause {
  return cause(CauseReason.TooMany, field, `Too many: ${actual}: must have at most ${max} items`);
}

/** The cause for a CEL rule's `reason`, defaulting to FieldValueInvalid with the schema type as value. */
export function causeForReason(
  reason: string | undefined,
  field: string,
  value: unknown,
  detail: string,
): StatusCause {
  switch (reason) {
    case CauseReason.Required:
      return required(field, detail);
    case CauseReason.Forbidden:
      return forbidden(field, detail);
    case CauseReason.Duplicate:
      return cause(CauseReason.Duplicate, field, `Duplicate value: ${formatValue(value)}: ${detail}`);
    default:
      return invalid(field, value, detail);
  }
}
