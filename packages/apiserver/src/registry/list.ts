import { badRequest, StatusError } from "../api/errors.ts";
import type { ResourceType } from "../resources/resource-type.ts";
import { StorageError } from "../storage/store.ts";
import { type CachedObject, toCached } from "../watch/cacher.ts";
import { listPrefix, resourcePrefix } from "./keys.ts";
import type { Registry } from "./registry.ts";

export type ListOptions = {
  namespace?: string;
  /** Label and field selectors, compiled by the caller. */
  filter?: (object: CachedObject) => boolean;
  /** Whether a selector is present (Kubernetes then omits remainingItemCount). */
  filtered?: boolean;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
};

export type ListResult = {
  items: CachedObject[];
  revision: number;
  continue?: string;
  remainingItemCount?: number;
};

type ContinueToken = { v: "meta.k8s.io/v1"; rv: number; start: string };

const TOO_OLD_CONTINUE =
  "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.";

/**
 * Lists a resource with Kubernetes' resourceVersion semantics: from the watch
 * cache when any recent state will do, and from storage at a fixed revision
 * for paged (`limit`/`continue`) and exact-revision reads.
 */
export async function listObjects(
  registry: Registry,
  type: ResourceType,
  options: ListOptions,
): Promise<ListResult> {
  const prefix = listPrefix(type, options.namespace);
  const filter = options.filter ?? (() => true);
  const rv = options.resourceVersion;
  const match = options.resourceVersionMatch;
  if (match !== undefined && match !== "" && match !== "Exact" && match !== "NotOlderThan") {
    throw badRequest(
      `resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`,
    );
  }
  if (match && (rv === undefined || rv === "")) {
    throw badRequest("resourceVersionMatch is forbidden unless resourceVersion is provided");
  }
  const requested = parseRevision(rv);
  if (options.continue) {
    if (rv) throw badRequest("specifying resource version is not allowed when using continue");
    return pagedFromStorage(registry, type, prefix, options, decodeContinue(options.continue, prefix));
  }
  if (match === "Exact") {
    return pagedFromStorage(registry, type, prefix, options, {
      v: "meta.k8s.io/v1",
      rv: requested,
      start: "",
    });
  }
  const cacheServes = rv === "0" || !options.limit;
  if (cacheServes) {
    if (requested > registry.cacher.revision) await waitForFresh(registry, requested);
    const resource = registry.cacher.resource(resourcePrefix(type));
    const items = resource.list(prefix).filter(filter);
    return { items, revision: registry.cacher.revision };
  }
  return pagedFromStorage(registry, type, prefix, options, { v: "meta.k8s.io/v1", rv: 0, start: "" });
}

async function pagedFromStorage(
  registry: Registry,
  type: ResourceType,
  prefix: string,
  options: ListOptions,
  token: ContinueToken,
): Promise<ListResult> {
  const limit = options.limit && options.limit > 0 ? options.limit : 0;
  const filter = options.filter ?? (() => true);
  const revision = token.rv || (await registry.store.currentRevision());
  const items: CachedObject[] = [];
  let after = token.start ? prefix + token.start : undefined;
  for (let round = 0; round < 1000; round++) {
    const want = limit ? Math.max(limit - items.length, 1) : 0;
    let page: Awaited<ReturnType<typeof registry.store.range>>;
    try {
      page = await registry.store.range({ prefix, after, limit: want, revision });
    } catch (error) {
      if (error instanceof StorageError && error.code === "Compacted") {
        throw new StatusError(
          "Expired",
          token.start ? TOO_OLD_CONTINUE : `too old resource version: ${revision}`,
          {
            cause: error,
          },
        );
      }
      if (error instanceof StorageError && error.code === "FutureRevision") {
        throw new StatusError(
          "Timeout",
          `Too large resource version: ${revision}, current: ${await registry.store.currentRevision()}`,
          {
            details: { retryAfterSeconds: 1 },
            cause: error,
          },
        );
      }
      throw error;
    }
    for (const kv of page.kvs) {
      const object = toCached(kv.key, kv.value, kv.modRevision);
      if (filter(object)) items.push(object);
      after = kv.key;
      if (limit && items.length >= limit) {
        const consumedAll = kv === page.kvs[page.kvs.length - 1] && !page.more;
        if (consumedAll) return { items, revision };
        const remaining = page.remaining + (page.kvs.length - 1 - page.kvs.indexOf(kv));
        return {
          items,
          revision,
          continue: encodeContinue({ v: "meta.k8s.io/v1", rv: revision, start: kv.key.slice(prefix.length) }),
          ...(options.filtered ? {} : { remainingItemCount: remaining }),
        };
      }
    }
    if (!page.more) return { items, revision };
  }
  throw new StatusError("InternalError", `listing ${type.plural} did not finish`);
}

async function waitForFresh(registry: Registry, revision: number): Promise<void> {
  if (!(await registry.cacher.waitForRevision(revision, 3000))) {
    throw new StatusError(
      "Timeout",
      `Too large resource version: ${revision}, current: ${registry.cacher.revision}`,
      {
        details: { retryAfterSeconds: 1 },
      },
    );
  }
}

/** Parses a client's resourceVersion; "" and undefined mean 0. */
export function parseRevision(rv: string | undefined): number {
  if (rv === undefined || rv === "") return 0;
  if (!/^\d+$/.test(rv)) throw badRequest(`invalid resource version "${rv}"`);
  return Number(rv);
}

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ ...token, start: `${token.start}\u0000` })).toString("base64url");
}

function decodeContinue(text: string, _prefix: string): ContinueToken {
  try {
    const token = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as Partial<ContinueToken>;
    if (token.v !== "meta.k8s.io/v1" || typeof token.rv !== "number" || typeof token.start !== "string") {
      throw new Error("unrecognized token");
    }
    const start = token.start.endsWith("\u0000") ? token.start.slice(0, -1) : token.start;
    if (start.includes("..") || start.startsWith("/")) throw new Error("invalid start key");
    return { v: token.v, rv: token.rv, start };
  } catch (error) {
    throw badRequest(
      `continue key is not valid: ${error instanceof Error ? error.message : String(error)}`,
      error,
    );
  }
}
