import { StatusError, StatusReason, type StatusReasonName } from "../errors.ts";
import { isRecord } from "../object.ts";

// Not `import … from "node:http"`: its ESM form also loads node's bundled undici (fetch, WebSocket), used or not (nodejs/node#59686).
const { STATUS_CODES } = process.getBuiltinModule("node:http");

/** The reason a Kubernetes API server would give for an HTTP status code that came without a `Status`. */
export function reasonForCode(code: number): StatusReasonName {
  for (const [name, entry] of Object.entries(StatusReason) as Array<[StatusReasonName, { code: number }]>) {
    // Conflict and Expired win over AlreadyExists and Gone: they are what 409 and 410 usually mean.
    if (entry.code === code && name !== "AlreadyExists" && name !== "Gone") return name;
  }
  return code >= 500 ? "InternalError" : "BadRequest";
}

function isReason(value: unknown): value is StatusReasonName {
  return typeof value === "string" && Object.hasOwn(StatusReason, value);
}

/**
 * A `StatusError` for a `Status` object the server sent (a failed response or a
 * watch `ERROR` event). Reasons outside the catalogue, and empty ones, are
 * derived from the code (`httpCode` when the Status carries none).
 */
export function statusErrorFromStatus(
  status: Record<string, unknown>,
  httpCode: number,
  what: string,
): StatusError {
  const code = typeof status.code === "number" && status.code > 0 ? status.code : httpCode;
  const reason = isReason(status.reason) ? status.reason : reasonForCode(code);
  const message =
    typeof status.message === "string" && status.message !== ""
      ? status.message
      : `${what}: ${code} ${STATUS_CODES[code] ?? ""}`.trimEnd();
  const details = isRecord(status.details) ? status.details : undefined;
  return new StatusError(reason, message, { details });
}

/** A `StatusError` for a non-2xx response: its `Status` when the body is one, else the HTTP code's reason. */
export function statusErrorFromResponse(httpCode: number, body: string, what: string): StatusError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (isRecord(parsed) && parsed.kind === "Status") return statusErrorFromStatus(parsed, httpCode, what);
  const text = body.trim().replace(/\s+/g, " ");
  const snippet = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  const message = `${what}: ${httpCode} ${STATUS_CODES[httpCode] ?? ""}`.trimEnd();
  return new StatusError(reasonForCode(httpCode), snippet ? `${message}: ${snippet}` : message);
}

/**
 * A request that never got an HTTP answer (connection refused or reset, DNS,
 * TLS, timeout) as `ServiceUnavailable`, keeping the original as `cause`.
 */
export function unreachable(what: string, error: unknown): StatusError {
  return new StatusError("ServiceUnavailable", `${what}: ${describe(error)}`, { cause: error });
}

function describe(error: unknown): string {
  // Happy-eyeballs connects fail with an AggregateError whose own message is empty.
  if (error instanceof AggregateError && !error.message) {
    return [...new Set(error.errors.map(describe))].join("; ");
  }
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    return error.message || (typeof code === "string" ? code : error.name);
  }
  return String(error);
}
