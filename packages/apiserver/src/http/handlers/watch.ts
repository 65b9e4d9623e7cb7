import { StatusError } from "../../api/errors.ts";
import { listPrefix, resourcePrefix } from "../../registry/keys.ts";
import { parseRevision } from "../../registry/list.ts";
import { apiVersionOf } from "../../resources/resource-type.ts";
import type { CachedObject, CacheEventType } from "../../watch/cacher.ts";
import { negotiate } from "../negotiation.ts";
import type { ServerContext } from "../server-context.ts";
import { asVersion, includeObjectOf, type ResourceRequest } from "./resources.ts";

/** A watcher that stops reading gets dropped rather than buffering without bound. */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

/**
 * A watch: a chunked stream of `{"type":…,"object":…}` lines served from the
 * watch cache, with Kubernetes' resourceVersion, bookmark, initial-events and
 * timeout semantics.
 */
export async function serveWatch(ctx: ServerContext, r: ResourceRequest): Promise<void> {
  const { type, query, res, req } = r;
  const format = negotiate(req.headers.accept);
  const rv = query.string("resourceVersion");
  const bookmarks = query.boolean("allowWatchBookmarks") === true;
  const sendInitialEvents = query.boolean("sendInitialEvents");
  const match = query.string("resourceVersionMatch");
  if (sendInitialEvents !== undefined) {
    if (match !== "NotOlderThan") {
      throw new StatusError(
        "Invalid",
        "resourceVersionMatch: Invalid value: sendInitialEvents requires resourceVersionMatch=NotOlderThan",
        {
          details: {
            causes: [
              {
                reason: "FieldValueInvalid",
                field: "resourceVersionMatch",
                message: "sendInitialEvents requires NotOlderThan",
              },
            ],
          },
        },
      );
    }
    if (sendInitialEvents && !bookmarks) {
      throw new StatusError(
        "Invalid",
        "allowWatchBookmarks: Required value: sendInitialEvents requires allowWatchBookmarks=true",
        {
          details: {
            causes: [
              { reason: "FieldValueRequired", field: "allowWatchBookmarks", message: "Required value" },
            ],
          },
        },
      );
    }
  } else if (match) {
    throw new StatusError("BadRequest", `resourceVersionMatch "${match}" is not allowed for watch`);
  }
  const from = parseRevision(rv);
  const initial = sendInitialEvents === true || rv === undefined || rv === "" || rv === "0";
  const { filter: selected } = ctx.selectors.compile(type, query);
  const name = r.name;
  const filter = name ? (o: CachedObject) => o.object.metadata.name === name && selected(o) : selected;
  const timeoutSeconds = query.integer("timeoutSeconds") ?? ctx.watchTimeoutSeconds * (1 + Math.random());
  const includeObject = format.as === "table" ? includeObjectOf(query) : "Metadata";

  res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private" });
  res.flushHeaders();
  let closed = false;
  const write = (line: string) => {
    if (closed) return;
    res.write(line);
    if (res.writableLength > MAX_BUFFERED_BYTES) stop();
  };
  const frame = (eventType: string, object: CachedObject): string => {
    if (format.as === "table") {
      const table = ctx.tables(type, [asVersion(type, object.object)], { includeObject });
      return `{"type":"${eventType}","object":${JSON.stringify(table)}}\n`;
    }
    const json =
      object.object.apiVersion === apiVersionOf(type)
        ? object.json
        : JSON.stringify(asVersion(type, object.object));
    return `{"type":"${eventType}","object":${json}}\n`;
  };
  const bookmark = (revision: number, annotations?: Record<string, string>) => {
    const metadata = { resourceVersion: String(revision), ...(annotations ? { annotations } : {}) };
    write(
      `{"type":"BOOKMARK","object":${JSON.stringify({ kind: type.kind, apiVersion: apiVersionOf(type), metadata })}}\n`,
    );
  };

  const cache = ctx.registry.cacher.resource(resourcePrefix(type));
  const watcher = cache.watch(
    {
      keyPrefix: listPrefix(type, r.namespace),
      filter,
      start: initial ? { initial: true } : { from },
    },
    {
      event: (eventType: CacheEventType, object: CachedObject) => write(frame(eventType, object)),
      expired: (requested, oldest) => {
        const status = new StatusError(
          "Expired",
          `too old resource version: ${requested} (${oldest})`,
        ).toStatus();
        write(`{"type":"ERROR","object":${JSON.stringify(status)}}\n`);
        stop();
      },
    },
  );
  if (sendInitialEvents) bookmark(ctx.registry.cacher.revision, { "k8s.io/initial-events-end": "true" });

  const timers: NodeJS.Timeout[] = [setTimeout(() => stop(), timeoutSeconds * 1000)];
  if (bookmarks)
    timers.push(setInterval(() => bookmark(ctx.registry.cacher.revision), ctx.bookmarkIntervalMs));
  function stop() {
    if (closed) return;
    closed = true;
    watcher.stop();
    for (const timer of timers) clearTimeout(timer);
    res.end();
  }
  req.on("close", stop);
  res.on("close", stop);
}
