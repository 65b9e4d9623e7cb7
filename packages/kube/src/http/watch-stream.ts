import type { IncomingMessage } from "node:http";
import { text } from "node:stream/consumers";
import type { WatchEventType, WatchHandlers } from "../client.ts";
import { StatusError } from "../errors.ts";
import { isRecord, type KubeObject } from "../object.ts";
import { statusErrorFromResponse, statusErrorFromStatus, unreachable } from "./status.ts";

const EVENT_TYPES: ReadonlySet<string> = new Set<WatchEventType>([
  "ADDED",
  "MODIFIED",
  "DELETED",
  "BOOKMARK",
]);

export type WatchStreamOptions = {
  /** `GET https://…?watch=true…`, for messages. */
  what: string;
  /** Opens the watch request; aborting `signal` must end it. */
  open(signal: AbortSignal): Promise<IncomingMessage>;
  /** Applied to every object before `onEvent` sees it. */
  normalize(object: KubeObject): KubeObject;
};

/**
 * Runs one watch request, splitting the response into JSON lines.
 *
 * `onClose` is called exactly once unless `stop()` comes first, and never
 * after `stop()`: with nothing at a normal end of stream; with
 * `StatusError("Expired")` for an `ERROR` event carrying 410; with the
 * Status's StatusError for other `ERROR` events and non-2xx responses; with
 * `ServiceUnavailable` (original as `cause`) for transport failures; and with
 * the thrown error when `onEvent` throws.
 */
export function runWatch(options: WatchStreamOptions, handlers: WatchHandlers): { stop(): void } {
  const controller = new AbortController();
  let done = false;
  const finish = (error?: unknown) => {
    if (done) return;
    done = true;
    controller.abort();
    try {
      handlers.onClose(error);
    } catch (failure) {
      // A throwing onClose is a bug in the caller: surface it as an uncaught exception, as LocalClient does.
      queueMicrotask(() => {
        throw failure;
      });
    }
  };
  const deliver = (line: string): void => {
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch (error) {
      finish(new StatusError("InternalError", `${options.what}: undecodable watch event`, { cause: error }));
      return;
    }
    if (!isRecord(event) || !isRecord(event.object)) return;
    const type = event.type;
    if (type === "ERROR") {
      const error = statusErrorFromStatus(event.object, 500, options.what);
      finish(
        error.code === 410
          ? new StatusError("Expired", error.message, { details: error.details, cause: error })
          : error,
      );
    } else if (typeof type === "string" && EVENT_TYPES.has(type) && isRecord(event.object.metadata)) {
      try {
        handlers.onEvent(type as WatchEventType, options.normalize(event.object as KubeObject));
      } catch (error) {
        finish(error);
      }
    }
  };
  const run = async () => {
    const res = await options.open(controller.signal);
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) {
      finish(statusErrorFromResponse(status, await text(res), options.what));
      return;
    }
    res.setEncoding("utf8");
    let pending: string[] = [];
    for await (const chunk of res as AsyncIterable<string>) {
      let start = 0;
      for (let newline = chunk.indexOf("\n"); newline >= 0; newline = chunk.indexOf("\n", start)) {
        pending.push(chunk.slice(start, newline));
        const line = pending.join("").trim();
        pending = [];
        start = newline + 1;
        if (line) deliver(line);
        if (done) return;
      }
      if (start < chunk.length) pending.push(chunk.slice(start));
    }
    const last = pending.join("").trim();
    if (last) deliver(last);
    finish();
  };
  run().catch((error: unknown) => {
    // Once done, failures are the abort that ended the request.
    if (!done) finish(error instanceof StatusError ? error : unreachable(options.what, error));
  });
  return {
    stop() {
      done = true;
      controller.abort();
    },
  };
}
