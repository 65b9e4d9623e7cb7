/**
 * The one catalogue of Kubernetes `Status` failures this server returns. Code
 * branches on `reason`, never on message text.
 */
export const StatusReason = {
  BadRequest: { reason: "BadRequest", code: 400 },
  Unauthorized: { reason: "Unauthorized", code: 401 },
  Forbidden: { reason: "Forbidden", code: 403 },
  NotFound: { reason: "NotFound", code: 404 },
  MethodNotAllowed: { reason: "MethodNotAllowed", code: 405 },
  NotAcceptable: { reason: "NotAcceptable", code: 406 },
  AlreadyExists: { reason: "AlreadyExists", code: 409 },
  Conflict: { reason: "Conflict", code: 409 },
  Gone: { reason: "Gone", code: 410 },
  Expired: { reason: "Expired", code: 410 },
  RequestEntityTooLarge: { reason: "RequestEntityTooLarge", code: 413 },
  UnsupportedMediaType: { reason: "UnsupportedMediaType", code: 415 },
  Invalid: { reason: "Invalid", code: 422 },
  TooManyRequests: { reason: "TooManyRequests", code: 429 },
  InternalError: { reason: "InternalError", code: 500 },
  Timeout: { reason: "Timeout", code: 504 },
  ServiceUnavailable: { reason: "ServiceUnavailable", code: 503 },
} as const;
export type StatusReasonName = keyof typeof StatusReason;

/** One offending field, as in `Status.details.causes`. */
export type StatusCause = {
  /** e.g. FieldValueRequired, FieldValueInvalid, FieldValueNotSupported, FieldValueDuplicate, FieldValueTypeInvalid. */
  reason: string;
  message: string;
  /** The JSON path of the field, e.g. `spec.containers[0].name`. */
  field?: string;
};

export type StatusDetails = {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
};

/** The wire form of a failed request. */
export type Status = {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure" | "Success";
  message: string;
  reason: string;
  details?: StatusDetails;
  code: number;
};

/** A request failure that becomes a `Status` response. */
export class StatusError extends Error {
  readonly reason: StatusReasonName;
  readonly code: number;
  readonly details: StatusDetails | undefined;
  constructor(
    reason: StatusReasonName,
    message: string,
    options: { details?: StatusDetails; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "StatusError";
    this.reason = reason;
    this.code = StatusReason[reason].code;
    this.details = options.details;
  }

  toStatus(): Status {
    const status: Status = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) status.details = this.details;
    return status;
  }
}

/** Resource identity used in error messages: `pods "web" not found`, `deployments.apps "web" already exists`. */
export type ResourceRef = { group: string; resource: string; name: string; kind?: string };

function qualified(ref: ResourceRef): string {
  return ref.group ? `${ref.resource}.${ref.group}` : ref.resource;
}

export function notFound(ref: ResourceRef): StatusError {
  return new StatusError("NotFound", `${qualified(ref)} "${ref.name}" not found`, {
    details: { name: ref.name, group: ref.group, kind: ref.resource },
  });
}

export function alreadyExists(ref: ResourceRef): StatusError {
  return new StatusError("AlreadyExists", `${qualified(ref)} "${ref.name}" already exists`, {
    details: { name: ref.name, group: ref.group, kind: ref.resource },
  });
}

export function conflict(ref: ResourceRef, why: string): StatusError {
  return new StatusError(
    "Conflict",
    `Operation cannot be fulfilled on ${qualified(ref)} "${ref.name}": ${why}`,
    { details: { name: ref.name, group: ref.group, kind: ref.resource } },
  );
}

/** 422 with one cause per offending field; `kind` is the object's Kind (e.g. "Pod"). */
export function invalid(ref: ResourceRef & { kind: string }, causes: StatusCause[]): StatusError {
  const summary = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join(", ");
  const groupKind = ref.group ? `${ref.kind}.${ref.group}` : ref.kind;
  return new StatusError("Invalid", `${groupKind} "${ref.name}" is invalid: ${summary}`, {
    details: { name: ref.name, group: ref.group, kind: ref.kind, causes },
  });
}

export function badRequest(message: string, cause?: unknown): StatusError {
  return new StatusError("BadRequest", message, { cause });
}
