import { badRequest, invalid } from "../../api/errors.ts";
import { isRecord, type KubeObject } from "../../api/object.ts";
import { PatchType, patchObject } from "../../registry/patching.ts";
import type { ScaleSubresource } from "../../resources/resource-type.ts";
import { contentTypeOf } from "../negotiation.ts";
import { sendJson } from "../respond.ts";
import type { ServerContext } from "../server-context.ts";
import { decodeBody, type ResourceRequest } from "./resources.ts";

/** GET …/scale: an autoscaling/v1 Scale view of the object's replica paths. */
export async function readScale(ctx: ServerContext, r: ResourceRequest): Promise<void> {
  const cached = ctx.registry.get(r.type, r.namespace, r.name ?? "");
  sendJson(r.res, 200, toScale(cached.object, scaleOf(r)));
}

/** PUT/PATCH …/scale: changes only spec replicas of the underlying object. */
export async function writeScale(ctx: ServerContext, r: ResourceRequest): Promise<void> {
  const paths = scaleOf(r);
  const current = ctx.registry.get(r.type, r.namespace, r.name ?? "");
  let scale: KubeObject;
  if (r.req.method === "PUT") {
    const body = decodeBody(r.req, await r.body());
    if (!isRecord(body)) throw badRequest("the body must be a Scale object");
    scale = body as KubeObject;
  } else {
    const patchType = contentTypeOf(r.req.headers["content-type"]);
    const view = toScale(current.object, paths);
    const text = (await r.body()).toString("utf8");
    const parsed: unknown = JSON.parse(text);
    if (patchType === PatchType.json) scale = ctx.patcher.json(view, parsed);
    else scale = ctx.patcher.merge(view, parsed);
  }
  const replicas = isRecord(scale.spec) ? scale.spec.replicas : undefined;
  if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
    throw invalid({ group: "autoscaling", resource: "scale", name: r.name ?? "", kind: "Scale" }, [
      {
        reason: "FieldValueInvalid",
        field: "spec.replicas",
        message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
      },
    ]);
  }
  const rv = scale.metadata?.resourceVersion;
  const patch: Record<string, unknown> = {};
  setPath(patch, paths.specReplicasPath, replicas);
  if (rv) patch.metadata = { resourceVersion: rv };
  const result = await patchObject(
    ctx.registry,
    ctx.patcher,
    ctx.shapes,
    { type: r.type, namespace: r.namespace, name: r.name ?? "" },
    PatchType.merge,
    JSON.stringify(patch),
    { dryRun: r.query.dryRun(), fieldManager: r.query.string("fieldManager") || "unknown" },
  );
  sendJson(r.res, 200, toScale(result.object, paths));
}

function scaleOf(r: ResourceRequest): ScaleSubresource {
  const scale = r.type.subresources.scale;
  if (!scale) throw badRequest("scale is not supported");
  return scale;
}

function toScale(object: KubeObject, paths: ScaleSubresource) {
  const meta = object.metadata;
  const selector = paths.labelSelectorPath ? getPath(object, paths.labelSelectorPath) : undefined;
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
      creationTimestamp: meta.creationTimestamp,
    },
    spec: { replicas: getPath(object, paths.specReplicasPath) ?? 0 },
    status: {
      replicas: getPath(object, paths.statusReplicasPath) ?? 0,
      ...(typeof selector === "string" ? { selector } : selectorText(object)),
    },
  };
}

/** Built-in workloads keep a structured selector in spec; Scale reports it as text. */
function selectorText(object: KubeObject): { selector?: string } {
  const spec = isRecord(object.spec) ? object.spec : undefined;
  const matchLabels =
    spec && isRecord(spec.selector) && isRecord(spec.selector.matchLabels)
      ? spec.selector.matchLabels
      : undefined;
  if (!matchLabels) return {};
  return {
    selector: Object.entries(matchLabels)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(","),
  };
}

function getPath(object: unknown, path: string): unknown {
  let current = object;
  for (const part of path.split(".").filter((p) => p !== "")) {
    if (!isRecord(current)) return undefined;
    current = current[part];
  }
  return current;
}

function setPath(object: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".").filter((p) => p !== "");
  let current = object;
  for (const part of parts.slice(0, -1)) {
    if (!isRecord(current[part])) current[part] = {};
    current = current[part] as Record<string, unknown>;
  }
  current[parts[parts.length - 1]] = value;
}
