import type { Readable } from "node:stream";
import { StatusError } from "../../api/errors.ts";
import type { KubeObject } from "../../api/object.ts";
import { bindPod } from "../../registry/pod-binding.ts";
import { sendJson } from "../respond.ts";
import type { ServerContext } from "../server-context.ts";
import { decodeBody, type ResourceRequest } from "./resources.ts";

export type PodLogOptions = {
  container?: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  limitBytes?: number;
  sinceSeconds?: number;
};

/**
 * Where pod logs come from (the kubelet's job). A member's kubelet stand-in
 * provides one; without it, logs are unavailable as on a node-less cluster.
 */
export interface PodLogSource {
  /** Throws a StatusError (BadRequest for an unknown container, …) when logs cannot be served. */
  open(pod: KubeObject, options: PodLogOptions, signal: AbortSignal): Promise<Readable>;
}

/** POST pods/{name}/binding. */
export async function handleBinding(ctx: ServerContext, r: ResourceRequest): Promise<void> {
  if (r.req.method !== "POST")
    throw new StatusError("MethodNotAllowed", "only POST is allowed on pods/binding");
  await bindPod(ctx.registry, r.type, r.namespace, r.name ?? "", decodeBody(r.req, await r.body()));
  sendJson(r.res, 201, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 });
}

/** GET pods/{name}/log: plain text, streamed while `follow` holds. */
export async function handleLog(ctx: ServerContext, r: ResourceRequest): Promise<void> {
  if (r.req.method !== "GET") throw new StatusError("MethodNotAllowed", "only GET is allowed on pods/log");
  const pod = ctx.registry.get(r.type, r.namespace, r.name ?? "").object;
  const source = ctx.podLogs();
  if (!source) {
    throw new StatusError("BadRequest", `pod ${r.name} does not have a host assigned`);
  }
  const q = r.query;
  const abort = new AbortController();
  r.req.on("close", () => abort.abort());
  const stream = await source.open(
    pod,
    {
      container: q.string("container"),
      follow: q.boolean("follow") === true,
      previous: q.boolean("previous") === true,
      timestamps: q.boolean("timestamps") === true,
      tailLines: q.integer("tailLines"),
      limitBytes: q.integer("limitBytes"),
      sinceSeconds: q.integer("sinceSeconds"),
    },
    abort.signal,
  );
  r.res.writeHead(200, { "Content-Type": "text/plain", "Transfer-Encoding": "chunked" });
  stream.on("error", () => r.res.end());
  stream.pipe(r.res);
  r.res.on("close", () => stream.destroy());
}
