import type { ServerResponse } from "node:http";
import { StatusError } from "../api/errors.ts";
import { StorageError } from "../storage/store.ts";

/** Writes a JSON body (given as text, so cached serializations are reused). */
export function sendJsonText(
  res: ServerResponse,
  code: number,
  body: string,
  options: { contentType?: string; warnings?: readonly string[] } = {},
): void {
  const headers: Record<string, string | string[]> = {
    "Content-Type": options.contentType ?? "application/json",
    "Cache-Control": "no-cache, private",
  };
  if (options.warnings && options.warnings.length > 0) {
    headers.Warning = options.warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  }
  res.writeHead(code, headers);
  res.end(body);
}

export function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  options: { contentType?: string; warnings?: readonly string[] } = {},
) {
  sendJsonText(res, code, JSON.stringify(body), options);
}

/** Turns any failure into a Kubernetes Status; unexpected errors become a 500 without internals. */
export function toStatusError(error: unknown): StatusError {
  if (error instanceof StatusError) return error;
  if (error instanceof StorageError) {
    switch (error.code) {
      case "Conflict":
        return new StatusError(
          "Conflict",
          "Operation cannot be fulfilled: the object has been modified; please apply your changes to the latest version and try again",
          { cause: error },
        );
      case "KeyExists":
        return new StatusError("AlreadyExists", "the object already exists", { cause: error });
      case "KeyNotFound":
        return new StatusError("NotFound", "the object was deleted", { cause: error });
      case "Compacted":
        return new StatusError("Expired", "too old resource version", { cause: error });
      case "Closed":
        return new StatusError("ServiceUnavailable", "storage is shutting down", { cause: error });
      default:
        return new StatusError("InternalError", `storage error: ${error.message}`, { cause: error });
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return new StatusError("InternalError", `Internal error occurred: ${message}`, { cause: error });
}

export function sendError(res: ServerResponse, error: unknown): StatusError {
  const status = toStatusError(error);
  if (!res.headersSent) sendJson(res, status.code, status.toStatus());
  else res.end();
  return status;
}
