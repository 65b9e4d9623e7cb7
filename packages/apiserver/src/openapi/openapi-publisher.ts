import { createHash } from "node:crypto";
import { StatusError } from "../api/errors.ts";
import type { ResourceType } from "../resources/resource-type.ts";
import type { ShapeResolver } from "../schema/shape.ts";
import { type JsonObject, stableStringify } from "./json.ts";
import { swaggerDocument } from "./openapi-v2.ts";
import { byGroupVersion, groupVersionDocument, type OpenAPIOptions, rootDocument } from "./openapi-v3.ts";

/**
 * A serialized document and its ETag: the sha512 of the JSON in upper-case
 * hex, as kube-apiserver computes it (unquoted; the `ETag` header quotes it,
 * the `/openapi/v3` discovery URLs carry it as `?hash=`).
 */
export type PublishedDocument = { json: string; etag: string };

/** Where the served resources come from, e.g. the resource catalog: re-read when `generation` changes. */
export type ResourceSource = { readonly generation: number; all(): readonly ResourceType[] };

/** What to answer an HTTP GET for an OpenAPI path. */
export type OpenAPIResponse = {
  status: 200 | 301 | 304 | 404 | 406;
  headers: Record<string, string>;
  body: string;
};

export type OpenAPIRequest = {
  /** The URL path: `/openapi/v2`, `/openapi/v3`, `/openapi/v3/apis/apps/v1`. */
  path: string;
  query?: URLSearchParams;
  accept?: string;
  ifNoneMatch?: string;
};

function publish(doc: JsonObject): PublishedDocument {
  const json = stableStringify(doc);
  return { json, etag: createHash("sha512").update(json).digest("hex").toUpperCase() };
}

type GroupVersionEntry = { types: readonly ResourceType[]; doc?: PublishedDocument };

function sameTypes(a: readonly ResourceType[], b: readonly ResourceType[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

/**
 * Serves `/openapi/v2`, `/openapi/v3` and `/openapi/v3/<group-version>` for
 * the current resource set, given by `setResources` or read from `source`
 * whenever its generation changes. Documents are built lazily and kept until
 * the set changes; a group version whose `ResourceType` objects are the same
 * (by identity) keeps its document and ETag, so adding a CRD does not
 * invalidate clients' caches of the built-in group versions.
 */
export class OpenAPIPublisher {
  readonly #resolver: ShapeResolver;
  readonly #options: OpenAPIOptions;
  readonly #source: ResourceSource | undefined;
  #seenGeneration: number | undefined;
  #types: readonly ResourceType[] = [];
  #groupVersions = new Map<string, GroupVersionEntry>();
  #root: JsonObject | undefined;
  #rootDocument: PublishedDocument | undefined;
  #v2: PublishedDocument | undefined;

  constructor(options: OpenAPIOptions & { resolver: ShapeResolver; source?: ResourceSource }) {
    const { resolver, source, ...rest } = options;
    this.#resolver = resolver;
    this.#source = source;
    this.#options = rest;
  }

  /** Replaces the served resources. Cheap when nothing changed. */
  setResources(types: readonly ResourceType[]): void {
    if (types === this.#types) return;
    this.#types = types;
    const next = new Map<string, GroupVersionEntry>();
    let changed = false;
    for (const [path, group] of byGroupVersion(types)) {
      const previous = this.#groupVersions.get(path);
      if (previous && sameTypes(previous.types, group)) next.set(path, previous);
      else {
        next.set(path, { types: group });
        changed = true;
      }
    }
    if (changed || next.size !== this.#groupVersions.size) {
      this.#root = undefined;
      this.#rootDocument = undefined;
      this.#v2 = undefined;
    }
    this.#groupVersions = next;
  }

  #sync(): void {
    const source = this.#source;
    if (!source || source.generation === this.#seenGeneration) return;
    this.#seenGeneration = source.generation;
    this.setResources(source.all());
  }

  /** The document for `api/v1` or `apis/<group>/<version>`, or undefined if nothing is served there. */
  v3(path: string): PublishedDocument | undefined {
    this.#sync();
    const entry = this.#groupVersions.get(path);
    if (!entry) return undefined;
    entry.doc ??= publish(groupVersionDocument(entry.types, this.#resolver, this.#options));
    return entry.doc;
  }

  /** The `/openapi/v3` discovery document: `{"paths": {"apis/apps/v1": {"serverRelativeURL": …}}}`. */
  v3Root(): JsonObject {
    this.#sync();
    if (!this.#root) {
      const entries = [...this.#groupVersions.keys()]
        .sort()
        .map((path) => ({ path, hash: this.v3(path)?.etag ?? "" }));
      this.#root = rootDocument(entries);
    }
    return this.#root;
  }

  /** The `/openapi/v2` Swagger document. */
  v2(): PublishedDocument {
    this.#sync();
    this.#v2 ??= publish(swaggerDocument(this.#types, this.#resolver, this.#options));
    return this.#v2;
  }

  /**
   * Answers a GET like kube-apiserver: 304 for a matching `If-None-Match`,
   * `Cache-Control: public, immutable` when the `hash` query matches, a 301
   * to the current URL when it does not, 406 for `/openapi/v2` when only
   * protobuf is acceptable (not served), 404 for unknown paths.
   */
  serve(request: OpenAPIRequest): OpenAPIResponse {
    const path = request.path.replace(/\/+$/, "");
    if (path === "/openapi/v2") {
      const accept = request.accept ?? "";
      if (accept && !/application\/json|\*\/\*|application\/\*/.test(accept)) return notAcceptable();
      return respond(this.v2(), request);
    }
    if (path === "/openapi/v3") {
      const root = this.v3Root();
      this.#rootDocument ??= publish(root);
      return respond(this.#rootDocument, request);
    }
    const prefix = "/openapi/v3/";
    const doc = path.startsWith(prefix) ? this.v3(path.slice(prefix.length)) : undefined;
    if (!doc) return { status: 404, headers: { "Content-Type": "text/plain" }, body: "404 page not found\n" };
    const hash = request.query?.get("hash");
    if (hash && hash !== doc.etag) {
      return { status: 301, headers: { Location: `${path}?hash=${doc.etag}` }, body: "" };
    }
    const response = respond(doc, request);
    if (hash) Object.assign(response.headers, { "Cache-Control": "public, immutable", Vary: "Accept" });
    return response;
  }
}

function respond(doc: PublishedDocument, request: OpenAPIRequest): OpenAPIResponse {
  const etag = `"${doc.etag}"`;
  const headers: Record<string, string> = { "Content-Type": "application/json", ETag: etag };
  if (request.ifNoneMatch === etag) return { status: 304, headers, body: "" };
  return { status: 200, headers, body: doc.json };
}

function notAcceptable(): OpenAPIResponse {
  const status = new StatusError(
    "NotAcceptable",
    "only application/json is served for /openapi/v2",
  ).toStatus();
  return { status: 406, headers: { "Content-Type": "application/json" }, body: JSON.stringify(status) };
}
